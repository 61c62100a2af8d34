"""Enveloped replies; error replies carry only codes the spec catalogues for the operation."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.responses import Response

from contracts.spec import Operation, Spec

JSON = "application/json"


class Reply(Exception):
    """Raised by handlers to answer with an error envelope (code from the catalogue)."""

    def __init__(self, code: int, detail: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


def dumps(body: Any) -> bytes:
    """orjson for speed; the stdlib for what orjson refuses (integers beyond 64 bits echoed back)."""
    try:
        return orjson.dumps(body)
    except TypeError:
        return json.dumps(body, separators=(",", ":")).encode()


def ok(data: Any, status: int = 200, **extra: Any) -> Response:
    body = {"data": data, "errors": None, "warnings": None, **extra}
    return Response(dumps(body), status_code=status, media_type=JSON)


def error(spec: Spec, op: Operation | None, code: int, detail: str | None = None) -> Response:
    """The error envelope for ``code`` with its catalogued status and message."""
    entry = spec.error_catalogue[code]
    if op is not None and code not in op.error_codes:
        raise AssertionError(f"mock bug: {op.operation_id} does not document code {code}")
    message = entry.message if not detail else f"{entry.message} ({detail})"
    body = {"data": None, "errors": [{"code": code, "message": message}], "warnings": None}
    return Response(dumps(body), status_code=entry.status, media_type=JSON)
