"""What the project's schemathesis.toml and its hooks rely on, without registering anything.

Importing :mod:`contracts.schemathesis_hooks` registers checks and an auth provider with schemathesis for
the whole process; the facts they use live here, so tests and tools can read them without that.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from contracts.errors import SpecError
from contracts.exchange import Exchange
from contracts.runner import RunSettings
from contracts.runner.auth import Credentials
from contracts.spec import DEFAULT_SPEC_PATH, Operation, Spec, load_spec

SPEC_ENV = "CONTRACTS_SPEC"
"""The spec the hooks judge against (default: the project's spec/v3.json)."""
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_PATH_VARIABLE = re.compile(r"\{([^{}]+)\}")


@functools.cache
def spec() -> Spec:
    return load_spec(os.environ.get(SPEC_ENV) or DEFAULT_SPEC_PATH)


def credentials(base_url: str) -> Credentials:
    """What ``contracts run`` sends to ``base_url``: the environment's, else (loopback only) the local pair."""
    names = {f.name: f.default for f in dataclasses.fields(RunSettings)}
    found = Credentials.from_env(
        user=None,
        user_env=str(names["basic_user_env"]),
        password_env=str(names["basic_password_env"]),
        token_env=str(names["bearer_token_env"]),
    )
    return found.for_loopback() if urlsplit(base_url).hostname in LOOPBACK else found


def operation(case: Any) -> Operation | None:
    """Our operation for a schemathesis case (by operationId)."""
    op_id = case.operation.definition.raw.get("operationId")
    try:
        return spec().operation(op_id) if isinstance(op_id, str) else None
    except KeyError:
        return None


def business_rule_codes(op: Operation) -> set[int]:
    """The codes with which the spec says business rules refuse schema-valid requests of ``op``:
    ``x-rules`` codes, ``x-unique`` in its body, ``x-not-found-code`` on a query parameter."""
    return set(op.spec.error_facts.of(op).business_rule_codes)


def business_rule_statuses(spec_: Spec, base: Sequence[str]) -> dict[str, list[str]]:
    """operationId → the statuses a schema-valid request of it may be answered with: ``base`` (the
    configured ``positive_data_acceptance`` statuses) plus the catalogued status of each of its
    business-rule codes that ``base`` does not cover; operations whose rules add nothing are left out."""
    found: dict[str, list[str]] = {}
    for op in spec_.operations:
        statuses = {
            spec_.error_catalogue[c].status for c in business_rule_codes(op) if c in spec_.error_catalogue
        }
        extra = sorted(s for s in statuses if not any(_covers(pattern, s) for pattern in base))
        if extra:
            found[op.operation_id] = [*base, *map(str, extra)]
    return found


def _covers(pattern: str, status: int) -> bool:
    """Whether a schemathesis status pattern (``"400"``, ``"4xx"``) covers ``status``."""
    text = str(pattern).lower()
    return text == str(status) or (len(text) == 3 and text.endswith("xx") and text[0] == str(status)[0])


def exchange(case: Any, response: Any, op: Operation) -> Exchange:
    """A schemathesis response as our checks judge it."""
    return Exchange(
        op.operation_id,
        response.status_code,
        response.content or b"",
        headers=dict(response.headers),
        method=case.method.upper(),
        url=str(response.request.url),
    )


def created_not_found_codes(spec_: Spec, created_with: str, follow_up: str) -> frozenset[int]:
    """The not-found codes (``x-not-found-code``) of the path parameters of ``follow_up`` that name what
    ``created_with`` created (both operation labels, ``POST /v3/…``). As schemathesis reads a create, a POST
    to a collection creates the item below it: the follow-up's segment right past the create's path; a POST
    to an item's own path, that item (its last segment)."""
    by_label = {op.label: op for op in spec_.operations}
    parent, op = by_label.get(created_with), by_label.get(follow_up)
    if parent is None or op is None:
        return frozenset()
    depth = len(parent.path.rstrip("/").split("/"))
    segments = op.path.rstrip("/").split("/")
    names = set(_PATH_VARIABLE.findall(segments[depth] if len(segments) > depth else segments[-1]))
    return frozenset(
        p.not_found.code
        for p in spec_.error_facts.of(op).parameters
        if p.location == "path" and p.name in names and p.not_found is not None
    )


def keeps_failure(spec_: Spec, failure: Any, response: Any) -> bool:
    """Whether a schemathesis failure stands (``filter_failure``): all do but a "created resource not found"
    whose 404 names another record than the one just created (:func:`names_the_created_resource`) and a
    "deleted resource still available" after a soft delete (:func:`freed_by_soft_delete`)."""
    from schemathesis.openapi.checks import EnsureResourceAvailability, UseAfterFree

    if isinstance(failure, UseAfterFree):
        return not freed_by_soft_delete(spec_, str(getattr(failure, "free", "")))
    if not isinstance(failure, EnsureResourceAvailability):
        return True
    return names_the_created_resource(spec_, failure, response.status_code, response.content or b"")


def freed_by_soft_delete(spec_: Spec, free: str) -> bool:
    """Whether ``free`` (``use_after_free``'s ``DELETE /v3/…`` with its ids) is an operation the spec marks
    ``x-soft-delete``: the record stays readable after it (deactivate-target), so a 200 there is the contract."""
    method, _, path = free.partition(" ")
    found = spec_.match(method, path) if path.startswith("/") else None
    try:
        return found is not None and found[0].soft_delete is not None
    except SpecError:
        return False  # a malformed x-soft-delete (lint names it) excuses nothing


def names_the_created_resource(spec_: Spec, failure: Any, status: int, body: bytes) -> bool:
    """Whether a ``ensure_resource_availability`` failure's 404 says the created resource is missing.

    It does when its error codes include the not-found code of the path parameter naming the created
    resource, when it carries no code at all, or when the spec gives that parameter no not-found code (no
    way to tell). A 404 whose codes are all about other records (enrol's ``periodName`` naming no period:
    310019) says nothing about the resource just created: the follow-up was refused for another reason.
    """
    codes = set(Exchange("", status, body).error_codes)
    created = created_not_found_codes(
        spec_, str(getattr(failure, "created_with", "")), str(getattr(failure, "not_available_with", ""))
    )
    return not codes or not created or bool(codes & created)
