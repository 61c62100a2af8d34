"""Dates and timestamps are in the formats the API answers with (named in the spec's components).

Which component belongs to which check is read from the spec (:func:`format_owners`): string
components with a pattern and ``format: date`` are dates, those named ``*Timestamp`` timestamps.
The schema check leaves non-null values at these components to the two checks here.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

from contracts.checks import CheckContext, check
from contracts.checks._schemas import DATE_CHECK, TIMESTAMP_CHECK, format_owners
from contracts.findings import Finding

__all__ = ["date_format", "format_owners", "timestamp_format"]


_JSON_TYPES = {bool: "a boolean", int: "a number", float: "a number", dict: "an object", list: "an array"}


def _problem(component: dict[str, Any], value: Any) -> str | None:
    """Why ``value`` is not a value of ``component`` (None when it is)."""
    if not isinstance(value, str):
        return f"{_JSON_TYPES.get(type(value), 'a value')}, not a string"
    if not re.search(component["pattern"], value):
        return "wrong form"
    if component.get("format") == "date":
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return "no such calendar day"
    return None


def _format_findings(ctx: CheckContext, check_name: str) -> Iterator[Finding]:
    documented = ctx.plan
    if documented is None:
        return
    for pointer, name, value in documented.located(ctx.exchange, check_name):
        component = ctx.spec.schemas.component(name)
        problem = None if value is None else _problem(component, value)
        if problem is None:
            continue
        example = (component.get("examples") or [component["pattern"]])[0]
        detail = "" if problem == "wrong form" else f"{problem}; "
        yield ctx.finding(
            f"{value!r} is not a {name} ({detail}expected the form {example})",
            pointer=pointer,
            spec_pointer=ctx.spec.schema_pointer(name),
            expected=component["pattern"],
            actual=value,
            extra={"example": example},
        )


@check(requires=["json", "documented_status"], quiet=["schema_valid"])
def date_format(ctx: CheckContext) -> Iterator[Finding]:
    """Dates are ``YYYY-MM-DD`` (every component with ``format: date`` and a pattern)."""
    yield from _format_findings(ctx, DATE_CHECK)


@check(requires=["json", "documented_status"], quiet=["schema_valid"])
def timestamp_format(ctx: CheckContext) -> Iterator[Finding]:
    """Timestamps match their component (``Timestamp`` is ``2024-04-01T16:04:29.145+0530``, not RFC 3339)."""
    yield from _format_findings(ctx, TIMESTAMP_CHECK)
