"""Hooks for plain ``schemathesis run spec/v3.json --url …`` (``hooks`` in the project's schemathesis.toml).

Five things. Credentials: what ``contracts run`` sends (``CONTRACTS_BASIC_USER`` / ``CONTRACTS_BASIC_PASSWORD``
or ``CONTRACTS_BEARER_TOKEN``; to loopback without them, the local pair the mock requires). Our registry: each
check of :mod:`contracts.checks` runs as a schemathesis check ``contracts_<check>``, so plain schemathesis
judges what ``contracts run`` judges. Expected statuses from the spec: once the schema is loaded, an
operation whose business rules refuse some schema-valid requests (a duplicate name: ``x-unique``,
``x-rules`` codes, an unknown id in a query) may answer them with those codes' statuses
(``positive_data_acceptance``), so no list of operations is copied into schemathesis.toml.
``refusal_is_a_business_rule``: fails any such 400 whose code is not one of the operation's business-rule
codes in the spec, so a schema-valid request refused as invalid input still fails. ``filter_failure``: drops
``ensure_resource_availability``'s "created resource not found" when the 404's codes name another record
than the one just created, and ``use_after_free``'s finding after a DELETE the spec marks ``x-soft-delete`` (the
rules ``contracts run`` applies, :func:`~contracts.schemathesis_support.keeps_failure`).
Importing this module registers all five for the process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis

from contracts import checks
from contracts.schemathesis_support import (
    business_rule_codes,
    business_rule_statuses,
    credentials,
    exchange,
    keeps_failure,
    operation,
    spec,
)

PREFIX = "contracts_"


@schemathesis.auth(refresh_interval=None, retry_on=[])
class EnvironmentCredentials:
    """The Authorization header of :func:`~contracts.schemathesis_support.credentials` on every request."""

    def get(self, case: Any, ctx: Any) -> dict[str, str] | None:
        return credentials(str(getattr(case.operation, "base_url", "") or "")).headers() or None

    def set(self, case: Any, data: dict[str, str], ctx: Any) -> None:
        case.headers = {**(case.headers or {}), **data}


def _registry_check(check: checks.Check) -> Callable[[Any, Any, Any], bool | None]:
    def run(ctx: Any, response: Any, case: Any) -> bool | None:
        op = operation(case)
        if op is None or case.method.upper() != op.method.upper():
            return None  # an unsupported-method probe (TRACE …) is not a request of the operation
        judged = checks.iter_findings(spec(), exchange(case, response, op), [check])
        found = [f for f in judged if f.severity == "error"]
        if found:
            raise AssertionError("\n".join(f"{f.check} {f.pointer}: {f.message}" for f in found))
        return None

    run.__name__ = run.__qualname__ = PREFIX + check.name
    run.__doc__ = check.function.__doc__
    return run


for _check in checks.select():
    schemathesis.check(_registry_check(_check))


@schemathesis.hook
def after_load_schema(context: Any, schema: Any) -> None:
    """Each operation whose business rules answer schema-valid requests with a status schemathesis does
    not expect gets that status allowed (``[[operations]]`` entries, as schemathesis.toml would hold)."""
    from schemathesis.config._operations import OperationConfig

    base = list(schema.config.checks.positive_data_acceptance.expected_statuses)
    for op_id, statuses in business_rule_statuses(spec(), base).items():
        schema.config.operations.operations.append(
            OperationConfig.from_dict(
                {
                    "include-operation-id": op_id,
                    "checks": {"positive_data_acceptance": {"expected-statuses": statuses}},
                }
            )
        )


@schemathesis.check
def refusal_is_a_business_rule(ctx: Any, response: Any, case: Any) -> bool | None:
    """A schema-valid request answered 400 carries one of the operation's business-rule codes."""
    meta = getattr(case, "meta", None)
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    op = operation(case)
    if op is None:
        return None
    codes = set(exchange(case, response, op).error_codes)
    allowed = business_rule_codes(op)
    if not codes or not codes <= allowed:
        raise AssertionError(
            f"schema-valid request refused with {sorted(map(str, codes)) or 'no code'}; "
            f"only the business rules' codes {sorted(allowed)} may refuse it"
        )
    return None


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """A 404 after a create that names another record (enrol's period) is not "created resource not found";
    a read after a soft delete (deactivate-target) answering 200 is not a use after free."""
    return keeps_failure(spec(), failure, response)
