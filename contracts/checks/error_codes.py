"""Error codes come from the catalogue, are documented for the operation, and match the status.

Code 0 is not an error code: ``{code: 0, message: ""}`` is the "no error" sentinel (``NoError``), which
only a 2xx may carry; on an error status it is named as such rather than as an unknown code.
"""

from __future__ import annotations

from collections.abc import Iterator

from contracts.checks import CheckContext, check
from contracts.checks.envelope import NO_ERROR, is_no_error
from contracts.findings import Finding
from contracts.spec import ERROR_CATALOGUE_KEY


def _codes(ctx: CheckContext) -> Iterator[tuple[int, int]]:
    """(index, code) for every integer ``errors[].code`` (malformed entries are errors_array_shape's)."""
    body = ctx.exchange.json
    errors = body.get("errors") if isinstance(body, dict) else None
    for index, error in enumerate(errors if isinstance(errors, list) else []):
        code = error.get("code") if isinstance(error, dict) else None
        if isinstance(code, int) and not isinstance(code, bool):
            yield index, code


def _entry(ctx: CheckContext, index: int) -> object:
    body = ctx.exchange.json
    errors = body.get("errors") if isinstance(body, dict) else None
    return errors[index] if isinstance(errors, list) and index < len(errors) else None


def _listed(codes: list[int]) -> str:
    return ", ".join(map(str, codes)) if codes else "none"


@check(requires=["json", "error"])
def error_code_documented(ctx: CheckContext) -> Iterator[Finding]:
    """Each error code is catalogued and listed in the operation's ``x-error-codes``."""
    op, status = ctx.operation, ctx.exchange.status
    catalogue = ctx.spec.error_catalogue
    allowed = list(op.codes_for_status(status))
    for index, code in _codes(ctx):
        entry = catalogue.get(code)
        if entry is None and is_no_error(ctx.spec, _entry(ctx, index)):
            message = (
                f'{{"code": {code}, "message": ""}} is the "no error" sentinel, which only a 2xx may carry, '
                f"not an error code (documented for {status}: {_listed(allowed)})"
            )
            spec_pointer = NO_ERROR
        elif entry is None:
            message = f"error code {code} is not in the catalogue ({op.operation_id} documents for {status}: {_listed(allowed)})"
            spec_pointer = f"/components/{ERROR_CATALOGUE_KEY}"
        elif code not in op.error_codes:
            message = (
                f"error code {code} ({entry.message}) is not documented for {op.operation_id} "
                f"(documented for {status}: {_listed(allowed)})"
            )
            spec_pointer = f"{op.pointer}/x-error-codes"
        else:
            continue
        yield ctx.finding(
            message,
            pointer=f"/errors/{index}/code",
            spec_pointer=spec_pointer,
            expected=allowed,
            actual=code,
            extra={"catalogue_message": entry.message} if entry else {},
        )


@check(requires=["json", "error"])
def error_code_matches_status(ctx: CheckContext) -> Iterator[Finding]:
    """A catalogued code comes with the HTTP status the catalogue gives it."""
    op, status = ctx.operation, ctx.exchange.status
    for index, code in _codes(ctx):
        entry = ctx.spec.error_catalogue.get(code)
        if entry is not None and entry.status != status:
            allowed = list(op.codes_for_status(status))
            yield ctx.finding(
                f"error code {code} ({entry.message}) is catalogued with status {entry.status}, answered with "
                f"{status} (codes for {status}: {_listed(allowed)})",
                pointer=f"/errors/{index}/code",
                spec_pointer=entry.pointer,
                expected=entry.status,
                actual=status,
                extra={"catalogue_message": entry.message, "allowed_codes": allowed},
            )
