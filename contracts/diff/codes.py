"""Error-code changes: an operation's ``x-error-codes`` and the catalogue's statuses
(``components.x-error-codes``), which clients branch on."""

from __future__ import annotations

from contracts.diff.change import Change
from contracts.spec import Operation, Spec


def operation_codes(before: Operation, after: Operation) -> list[Change]:
    """Codes added to or removed from one operation, and its codes whose catalogued status moved."""
    found: list[Change] = []
    op, label = after.operation_id, f"{after.method} {after.path}"
    for index, code in enumerate(before.error_codes):
        if code not in after.error_codes:
            at = f"{before.pointer}/x-error-codes/{index}"
            detail = f"error code {code} removed (clients branch on it)"
            found.append(
                Change(True, "error-code-removed", at, detail, op, label, f"{after.pointer}/x-error-codes")
            )
    for index, code in enumerate(after.error_codes):
        if code not in before.error_codes:
            at = f"{after.pointer}/x-error-codes/{index}"
            detail = f"error code {code} added (clients do not know it)"
            found.append(Change(True, "error-code-added", at, detail, op, label, at))
    for code in after.error_codes:
        was, now = before.spec.error_catalogue.get(code), after.spec.error_catalogue.get(code)
        if code in before.error_codes and was is not None and now is not None and was.status != now.status:
            at, detail = f"{now.pointer}/status", f"error code {code}: status {was.status} → {now.status}"
            found.append(Change(True, "error-code-status-changed", at, detail, op, label, at))
    return found


def unused_codes(old: Spec, new: Spec) -> list[Change]:
    """Catalogue status changes of codes no operation lists (still a fact clients may rely on)."""
    used = {code for op in new.operations for code in op.error_codes}
    found = []
    for code, now in new.error_catalogue.items():
        was = old.error_catalogue.get(code)
        if code not in used and was is not None and was.status != now.status:
            at, detail = f"{now.pointer}/status", f"error code {code}: status {was.status} → {now.status}"
            found.append(Change(True, "error-code-status-changed", at, detail, new_pointer=at))
    return found
