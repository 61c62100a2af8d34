"""Every value at a named enum position is one of the values the spec documents."""

from __future__ import annotations

import re
from collections.abc import Iterator

from contracts.checks import CheckContext, check
from contracts.checks._schemas import conforms, walk_components
from contracts.findings import Finding


def _shape(value: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", value.upper())


@check(requires=["json", "documented_status"])
def enum_value_documented(ctx: CheckContext) -> Iterator[Finding]:
    """Enum values are documented; a value that differs only in casing or separators says so."""
    schema = ctx.operation.response_schema(ctx.exchange.status)
    if schema is None or conforms(ctx.operation, ctx.exchange.status, ctx.exchange.json):
        return
    enums = ctx.spec.enums
    for pointer, name, value in walk_components(ctx.spec, schema, ctx.exchange.json):
        enum = enums.get(name)
        if enum is None or value is None or value in enum.values:
            continue
        near = [
            v
            for v in enum.values
            if isinstance(v, str) and isinstance(value, str) and _shape(v) == _shape(value)
        ]
        detail = (
            f"casing differs from documented {near[0]}"
            if near
            else f"allowed: {', '.join(map(str, enum.values))}"
        )
        yield Finding(
            "enum_value_documented",
            f"{value!r} is not a documented {name} value ({detail})",
            operation=ctx.operation.operation_id,
            pointer=pointer,
            spec_pointer=enum.pointer,
            expected=list(enum.values),
            actual=value,
            status=ctx.exchange.status,
            extra={"casing": near[0]} if near else {},
        )
