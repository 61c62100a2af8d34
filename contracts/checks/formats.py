"""Dates and timestamps are in the formats the API answers with (named in the spec's components)."""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator

from contracts.checks import CheckContext, check
from contracts.checks._schemas import conforms, walk_components
from contracts.findings import Finding
from contracts.spec import Spec

_OWNERS: weakref.WeakKeyDictionary[Spec, dict[str, str]] = weakref.WeakKeyDictionary()


def format_owners(spec: Spec) -> dict[str, str]:
    """String components with a pattern: ``format: date`` → date_format; ``*Timestamp`` → timestamp_format."""
    if spec not in _OWNERS:
        owners: dict[str, str] = {}
        for name, schema in spec.raw.get("components", {}).get("schemas", {}).items():
            if not isinstance(schema, dict) or "pattern" not in schema:
                continue
            if schema.get("format") == "date":
                owners[name] = "date_format"
            elif name.endswith("Timestamp"):
                owners[name] = "timestamp_format"
        _OWNERS[spec] = owners
    return _OWNERS[spec]


def _format_findings(ctx: CheckContext, check_name: str) -> Iterator[Finding]:
    schema = ctx.operation.response_schema(ctx.exchange.status)
    if schema is None or conforms(ctx.operation, ctx.exchange.status, ctx.exchange.json):
        return
    owners = format_owners(ctx.spec)
    components = ctx.spec.raw["components"]["schemas"]
    for pointer, name, value in walk_components(ctx.spec, schema, ctx.exchange.json):
        if owners.get(name) != check_name or not isinstance(value, str):
            continue
        component = components[name]
        if re.search(component["pattern"], value):
            continue
        example = (component.get("examples") or [component["pattern"]])[0]
        yield Finding(
            check_name,
            f"{value!r} is not a {name} (expected the form {example})",
            operation=ctx.operation.operation_id,
            pointer=pointer,
            spec_pointer=ctx.spec.schema_pointer(name),
            expected=component["pattern"],
            actual=value,
            status=ctx.exchange.status,
        )


@check(requires=["json", "documented_status"])
def date_format(ctx: CheckContext) -> Iterator[Finding]:
    """Dates are ``YYYY-MM-DD`` (every component with ``format: date`` and a pattern)."""
    yield from _format_findings(ctx, "date_format")


@check(requires=["json", "documented_status"])
def timestamp_format(ctx: CheckContext) -> Iterator[Finding]:
    """Timestamps match their component (``Timestamp`` is ``2024-04-01T16:04:29.145+0530``, not RFC 3339)."""
    yield from _format_findings(ctx, "timestamp_format")
