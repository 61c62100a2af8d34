"""The response envelope ``{data, errors, warnings}`` and its invariants, for every status.

A 2xx may carry the legacy "no error" sentinel ``errors: [{code: 0, message: ""}]`` (and nothing else in
``errors``): its value is read from the spec's ``NoError`` component (``const`` of each property), so the
checks, the linter and the diff agree on one definition.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contracts.checks import CheckContext, check
from contracts.checks.schema import written_at
from contracts.findings import Finding
from contracts.schemas import NO_ERROR_SCHEMA
from contracts.spec import ENVELOPE_SCHEMA, ERROR_ENVELOPE_SCHEMA, Spec

ENVELOPE = f"/components/schemas/{ENVELOPE_SCHEMA}"
ERROR_ENVELOPE = f"/components/schemas/{ERROR_ENVELOPE_SCHEMA}"
NO_ERROR = f"/components/schemas/{NO_ERROR_SCHEMA}"


def no_error(spec: Spec) -> dict[str, Any] | None:
    """The sentinel entry ``{code: 0, message: ""}`` from the ``NoError`` component (None when the spec has none)."""
    return spec.schemas.no_error


def is_no_error(spec: Spec, entry: Any) -> bool:
    """Whether ``entry`` of ``errors`` is the "no error" sentinel (:meth:`contracts.schemas.Schemas.is_no_error`)."""
    return spec.schemas.is_no_error(entry)


@check(requires=["json"])
def envelope_shape(ctx: CheckContext) -> Iterator[Finding]:
    """The body is an object carrying the envelope keys ``data`` and ``errors``."""
    body = ctx.exchange.json
    if not isinstance(body, dict):
        yield ctx.finding(
            f"the body is a {type(body).__name__}, not the envelope object",
            "",
            ENVELOPE,
            expected="object",
            actual=type(body).__name__,
        )
        return
    for key in ("data", "errors"):
        if key not in body:
            yield ctx.finding(
                f"the envelope has no {key!r} key",
                f"/{key}",
                written_at(ctx, "envelope_shape", "", f"{ENVELOPE}/required"),
                expected=key,
                actual=sorted(body),
            )


@check(requires=["json"])
def data_iff_success(ctx: CheckContext) -> Iterator[Finding]:
    """2xx: ``data`` present and not null, ``errors`` null or empty; errors: ``data`` null, ``errors`` non-empty.

    A missing key is ``envelope_shape``'s finding and an ``errors`` that is no array ``errors_array_shape``'s,
    so each fact is reported once; the spec pointer is where the documented schema writes the rule.
    """
    body, status = ctx.exchange.json, ctx.exchange.status
    if not isinstance(body, dict):
        return
    errors = body.get("errors")
    if 200 <= status < 300:
        if "data" in body and body["data"] is None:
            yield ctx.finding(
                f"a {status} response has null data",
                "/data",
                written_at(ctx, "data_iff_success", "/data", ENVELOPE),
                expected="not null",
                actual=None,
            )
        sentinel_only = isinstance(errors, list) and len(errors) == 1 and is_no_error(ctx.spec, errors[0])
        if isinstance(errors, list) and errors and not sentinel_only:
            yield ctx.finding(
                f"a {status} response carries {len(errors)} error(s)",
                "/errors",
                written_at(ctx, "data_iff_success", "/errors", ENVELOPE),
                expected='null, [] or the "no error" sentinel [{"code": 0, "message": ""}]',
                actual=errors,
                extra={"sentinel": NO_ERROR},
            )
    elif status >= 400:
        if body.get("data") is not None:
            yield ctx.finding(
                f"a {status} response carries data",
                "/data",
                written_at(ctx, "data_iff_success", "/data", ERROR_ENVELOPE),
                expected=None,
                actual=type(body["data"]).__name__,
            )
        if "errors" in body and (errors is None or errors == []):
            yield ctx.finding(
                f"a {status} response has no errors (errors is {errors!r})",
                "/errors",
                written_at(ctx, "data_iff_success", "/errors", ERROR_ENVELOPE),
                expected="non-empty array",
                actual=errors,
            )


@check(requires=["json"])
def errors_array_shape(ctx: CheckContext) -> Iterator[Finding]:
    """Each entry of ``errors`` is ``{code: integer, message: string}``."""
    body = ctx.exchange.json
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors is None:
        return
    if not isinstance(errors, list):
        yield ctx.finding(
            f"errors is a {type(errors).__name__}, not an array",
            "/errors",
            f"{ENVELOPE}/properties/errors",
            expected="array or null",
            actual=type(errors).__name__,
        )
        return
    api_error = "/components/schemas/ApiError"
    for index, error in enumerate(errors):
        where = f"/errors/{index}"
        if not isinstance(error, dict):
            yield ctx.finding(
                "an error is not an object",
                where,
                api_error,
                expected="object",
                actual=error,
            )
            continue
        code, message = error.get("code"), error.get("message")
        if not isinstance(code, int) or isinstance(code, bool):
            yield ctx.finding(
                f"error code {code!r} is not an integer",
                f"{where}/code",
                f"{api_error}/properties/code",
                expected="integer",
                actual=code,
            )
        if not isinstance(message, str):
            yield ctx.finding(
                f"error message {message!r} is not a string",
                f"{where}/message",
                f"{api_error}/properties/message",
                expected="string",
                actual=message,
            )


@check(requires=["json"])
def warnings_shape(ctx: CheckContext) -> Iterator[Finding]:
    """``warnings``, when present, is null or an array."""
    body = ctx.exchange.json
    if (
        isinstance(body, dict)
        and "warnings" in body
        and not (body["warnings"] is None or isinstance(body["warnings"], list))
    ):
        yield ctx.finding(
            f"warnings is a {type(body['warnings']).__name__}, not null or an array",
            "/warnings",
            f"{ENVELOPE}/properties/warnings",
            expected="array or null",
            actual=body["warnings"],
        )
