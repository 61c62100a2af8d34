"""Hooks for plain ``schemathesis run spec/v3.json --url …`` (``hooks`` in the project's schemathesis.toml).

Two things: every check of our registry (:mod:`contracts.checks`) runs as a schemathesis check named
``contracts_<check>``, so plain schemathesis judges what ``contracts run`` judges; and
``refusal_is_a_business_rule`` keeps the config's business-rule allowance narrow. schemathesis.toml lets an
operation whose business rules refuse some schema-valid requests (a duplicate name) answer 400 to them;
this check fails any such 400 whose code is not one of the operation's business-rule codes in the spec
(``x-rules``, ``x-unique``, ``x-not-found-code`` on a query parameter), so a schema-valid request rejected
as invalid input still fails.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from typing import Any

import schemathesis

from contracts import checks
from contracts.exchange import Exchange
from contracts.spec import DEFAULT_SPEC_PATH, Operation, Spec, load_spec

SPEC_ENV = "CONTRACTS_SPEC"
"""The spec the hooks judge against (default: the project's spec/v3.json)."""
PREFIX = "contracts_"


@functools.cache
def spec() -> Spec:
    return load_spec(os.environ.get(SPEC_ENV) or DEFAULT_SPEC_PATH)


def operation(case: Any) -> Operation | None:
    """Our operation for a schemathesis case (by operationId)."""
    op_id = case.operation.definition.raw.get("operationId")
    try:
        return spec().operation(op_id) if isinstance(op_id, str) else None
    except KeyError:
        return None


def business_rule_codes(op: Operation) -> set[int]:
    """The codes with which the spec says business rules refuse schema-valid requests of ``op``."""
    codes = {
        e["code"] for e in op.raw.get("x-rules", []) if isinstance(e, dict) and isinstance(e.get("code"), int)
    }
    for param in op.parameters():
        if param.get("in") == "query" and isinstance(param.get("x-not-found-code"), int):
            codes.add(param["x-not-found-code"])
    body = op.request_schema()
    if body is not None:
        codes |= set(_unique_codes(op.spec, body, 0))
    return codes


def _unique_codes(spec_: Spec, node: Any, depth: int) -> list[int]:
    if not isinstance(node, dict) or depth > 8:
        return []
    found = [node["x-unique"]] if isinstance(node.get("x-unique"), int) else []
    node = spec_.deref(node) if "$ref" in node else node
    for part in (*node.get("allOf", ()), *node.get("oneOf", ()), *node.get("anyOf", ())):
        found += _unique_codes(spec_, part, depth + 1)
    for sub in (node.get("properties") or {}).values():
        found += _unique_codes(spec_, sub, depth + 1)
    return found


def exchange(case: Any, response: Any, op: Operation) -> Exchange:
    request = response.request
    return Exchange(
        op.operation_id,
        response.status_code,
        response.content or b"",
        headers=dict(response.headers),
        method=case.method.upper(),
        url=str(request.url),
    )


def _registry_check(check: checks.Check) -> Callable[[Any, Any, Any], bool | None]:
    def run(ctx: Any, response: Any, case: Any) -> bool | None:
        op = operation(case)
        if op is None or case.method.upper() != op.method.upper():
            return None  # an unsupported-method probe (TRACE …) is not a request of the operation
        found = [
            f
            for f in checks.iter_findings(spec(), exchange(case, response, op), [check])
            if f.severity == "error"
        ]
        if found:
            raise AssertionError("\n".join(f"{f.check} {f.pointer}: {f.message}" for f in found))
        return None

    run.__name__ = run.__qualname__ = PREFIX + check.name
    run.__doc__ = check.function.__doc__
    return run


for _check in checks.select():
    schemathesis.check(_registry_check(_check))


@schemathesis.check
def refusal_is_a_business_rule(ctx: Any, response: Any, case: Any) -> bool | None:
    """A schema-valid request answered 400 carries one of the operation's business-rule codes."""
    meta = getattr(case, "meta", None)
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    op = operation(case)
    if op is None:
        return None
    try:
        errors = json.loads(response.content).get("errors") or []
        codes = {e.get("code") for e in errors if isinstance(e, dict)}
    except (ValueError, AttributeError):
        codes = set()
    allowed = business_rule_codes(op)
    if not codes or not codes <= allowed:
        raise AssertionError(
            f"schema-valid request refused with {sorted(map(str, codes)) or 'no code'}; "
            f"only the business rules' codes {sorted(allowed)} may refuse it"
        )
    return None
