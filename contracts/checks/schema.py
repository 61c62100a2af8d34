"""The body validates against the response schema the spec documents for the status."""

from __future__ import annotations

from collections.abc import Iterator

from contracts.checks import CheckContext, check
from contracts.checks._schemas import response_validator, schema_pointer
from contracts.checks.formats import format_owners
from contracts.findings import Finding

MEDIA = "application/json"


def _owned_elsewhere(ctx: CheckContext, schema_path: list[str | int]) -> bool:
    """Enum and format violations at named components are reported by their own, clearer checks."""
    if len(schema_path) < 4 or schema_path[:2] != ["components", "schemas"]:
        return False
    name, keyword = str(schema_path[2]), schema_path[-1]
    if keyword == "enum" and name in ctx.spec.enums:
        return True
    return keyword in ("pattern", "format") and name in format_owners(ctx.spec)


@check(requires=["json", "documented_status"])
def response_schema_conformance(ctx: CheckContext) -> Iterator[Finding]:
    """The JSON body conforms to the documented response schema."""
    op, ex = ctx.operation, ctx.exchange
    validator = response_validator(op, ex.status, MEDIA)
    if validator is None or validator.is_valid(ex.json):
        return
    for error in validator.iter_errors(ex.json):
        if _owned_elsewhere(ctx, error.schema_path):
            continue
        yield Finding(
            "response_schema_conformance",
            error.message,
            operation=op.operation_id,
            pointer="".join(f"/{str(t).replace('~', '~0').replace('/', '~1')}" for t in error.instance_path),
            spec_pointer=schema_pointer(op, ex.status, MEDIA, error.schema_path),
            expected=str(error.schema_path[-1]) if error.schema_path else None,
            actual=_value_at(ex.json, error.instance_path),
            status=ex.status,
        )


def _value_at(document: object, path: list[str | int]) -> object:
    node = document
    for token in path:
        try:
            node = node[token]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    if isinstance(node, (dict, list)):
        return f"<{type(node).__name__} of {len(node)}>"
    return node
