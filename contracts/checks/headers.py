"""Headers the spec marks required on a response are present and match their schema."""

from __future__ import annotations

from collections.abc import Iterator

from contracts.checks import CheckContext, check
from contracts.checks._schemas import compile_schema
from contracts.findings import Finding
from contracts.spec import escape_token


@check(requires=["documented_status"])
def response_headers_documented(ctx: CheckContext) -> Iterator[Finding]:
    """Required response headers are present; present documented headers match their schema."""
    op, ex = ctx.operation, ctx.exchange
    response = op.response(ex.status) or {}
    for name, header in response.get("headers", {}).items():
        header = ctx.spec.deref(header)
        spec_pointer = f"{op.response_pointer(ex.status)}/headers/{escape_token(name)}"
        value = ex.header_map.get(name.lower())
        if value is None:
            if header.get("required"):
                yield Finding(
                    "response_headers_documented",
                    f"required header {name} is missing",
                    operation=op.operation_id,
                    spec_pointer=spec_pointer,
                    expected=name,
                    status=ex.status,
                )
            continue
        schema = header.get("schema")
        if isinstance(schema, dict):
            candidate: object = value
            if schema.get("type") == "integer" and value.lstrip("-").isdigit():
                candidate = int(value)
            if not compile_schema(ctx.spec, schema).is_valid(candidate):
                yield Finding(
                    "response_headers_documented",
                    f"header {name}: {value!r} does not match its schema",
                    operation=op.operation_id,
                    spec_pointer=f"{spec_pointer}/schema",
                    expected=schema,
                    actual=value,
                    status=ex.status,
                )
