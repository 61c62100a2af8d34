"""The Content-Type is one the spec documents, and a JSON media type carries JSON."""

from __future__ import annotations

from collections.abc import Iterator

from contracts.checks import CheckContext, check
from contracts.findings import Finding


@check(requires=["documented_status"])
def content_type_documented(ctx: CheckContext) -> Iterator[Finding]:
    """The Content-Type is documented for this status, and JSON bodies parse."""
    op, ex = ctx.operation, ctx.exchange
    media = op.response_media(ex.status)
    if not media:
        return
    pointer = f"{op.response_pointer(ex.status)}/content"
    if ex.content_type not in media:
        yield Finding(
            "content_type_documented",
            f"Content-Type {ex.content_type or '(none)'} is not documented (documented: {', '.join(media)})",
            operation=op.operation_id,
            spec_pointer=pointer,
            expected=list(media),
            actual=ex.content_type,
            status=ex.status,
        )
    elif ex.content_type.endswith("json") and not ex.is_json:
        yield Finding(
            "content_type_documented",
            f"the body is not valid JSON although the Content-Type is {ex.content_type}",
            operation=op.operation_id,
            spec_pointer=pointer,
            expected="JSON",
            actual=ex.body[:80].decode("utf-8", "replace"),
            status=ex.status,
        )
