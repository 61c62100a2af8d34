"""Every value at a named enum position is one of the values the spec documents."""

from __future__ import annotations

import re
from collections.abc import Iterator

from contracts.checks import CheckContext, check
from contracts.checks._schemas import ENUM_CHECK
from contracts.findings import Finding
from contracts.types import JSON


def _shape(value: str) -> str:
    """The value with casing and separators dropped: ``Non-continuous streaks`` ~ ``NON_CONTINUOUS_STREAKS``."""
    return re.sub(r"[^0-9A-Z]", "", value.upper())


def _near(value: JSON, allowed: tuple[JSON, ...]) -> str | None:
    if not isinstance(value, str):
        return None
    shape = _shape(value)
    return next((v for v in allowed if isinstance(v, str) and _shape(v) == shape), None)


@check(requires=["json", "documented_status"], quiet=["schema_valid"])
def enum_value_documented(ctx: CheckContext) -> Iterator[Finding]:
    """Enum values are documented; a value that differs only in casing or separators says so."""
    documented = ctx.plan
    if documented is None:
        return
    enums = ctx.spec.enums
    for pointer, name, value in documented.located(ctx.exchange, ENUM_CHECK):
        enum = enums[name]
        if value is None or value in enum.values:
            continue
        near = _near(value, enum.values)
        detail = (
            f"casing differs from documented {near}"
            if near
            else f"allowed: {', '.join(map(str, enum.values))}"
        )
        yield ctx.finding(
            f"{value!r} is not a documented {name} value ({detail})",
            pointer=pointer,
            spec_pointer=enum.pointer,
            expected=list(enum.values),
            actual=value,
            extra={"casing": near} if near else {},
        )
