"""Headers the spec marks required on a response are present and match their schema."""

from __future__ import annotations

from collections.abc import Iterator

from contracts.checks import CheckContext, check
from contracts.findings import Finding


def _typed(value: str, schema: dict[str, object]) -> object:
    """A header value as its schema types it (headers are strings on the wire)."""
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    try:
        if "integer" in kinds:
            return int(value)
        if "number" in kinds:
            return float(value)
    except ValueError:
        pass
    if "boolean" in kinds and value in ("true", "false"):
        return value == "true"
    return value


@check(requires=["documented_status"])
def response_headers_documented(ctx: CheckContext) -> Iterator[Finding]:
    """Required response headers are present; present documented headers match their schema."""
    ex = ctx.exchange
    documented = ctx.plan
    for header in documented.headers if documented is not None else ():
        value = ex.header_map.get(header.name.lower())
        if value is None:
            if header.required:
                yield ctx.finding(
                    f"required header {header.name} is missing from the {ex.status} response",
                    spec_pointer=header.pointer,
                    expected=header.name,
                )
        elif header.validator is not None and not header.validator.is_valid(
            _typed(value, header.schema or {})
        ):
            yield ctx.finding(
                f"header {header.name}: {value!r} does not match its schema",
                spec_pointer=f"{header.pointer}/schema",
                expected=header.schema,
                actual=value,
            )
