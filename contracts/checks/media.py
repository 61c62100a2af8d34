"""The Content-Type is one the spec documents, and a JSON media type carries JSON."""

from __future__ import annotations

from collections.abc import Iterator

from contracts.checks import CheckContext, check
from contracts.findings import Finding
from contracts.spec import escape_token


@check(requires=["documented_status"])
def content_type_documented(ctx: CheckContext) -> Iterator[Finding]:
    """The Content-Type is documented for this status, and JSON bodies parse."""
    ex = ctx.exchange
    documented = ctx.plan
    if documented is None or not documented.media:
        return
    media, content_type = documented.media, ex.content_type
    if content_type is None or content_type not in media:
        yield ctx.finding(
            f"Content-Type {content_type or '(none)'} is not documented for {ex.status} "
            f"(documented: {', '.join(media)})",
            spec_pointer=f"{documented.pointer}/content",
            expected=list(media),
            actual=content_type,
        )
    elif content_type.endswith("json") and not ex.is_json:
        yield ctx.finding(
            f"the body is not valid JSON although the Content-Type is {content_type}",
            spec_pointer=f"{documented.pointer}/content/{escape_token(content_type)}",
            expected="JSON",
            actual=ex.body[:80].decode("utf-8", "replace"),
        )
