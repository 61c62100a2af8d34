"""The response status is one the spec documents for the operation."""

from __future__ import annotations

from collections.abc import Iterator

from contracts.checks import CheckContext, check
from contracts.findings import Finding


@check(quiet=["documented_status"])
def status_code_documented(ctx: CheckContext) -> Iterator[Finding]:
    """The status is documented for the operation (exactly, by range or as default)."""
    op, status = ctx.operation, ctx.exchange.status
    if op.response_key(status) is None:
        yield ctx.finding(
            f"status {status} is not documented for {op.operation_id} (documented: {', '.join(op.statuses)})",
            spec_pointer=f"{op.pointer}/responses",
            expected=list(op.statuses),
            actual=status,
        )
