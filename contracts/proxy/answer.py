"""What the proxy sends back: the answer it relays, the envelopes it writes itself, a report's example.

Everything the proxy answers on its own is an error envelope with a catalogued code; an answer's
body is judged as the client will read it (content encodings undone), and a violation's example
exchange is masked exactly like the HAR.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import orjson

from contracts.proxy.har import Masker
from contracts.report.curl import curl
from contracts.spec import Spec

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "host",
        "content-length",
    }
)
EXAMPLE_BODY = 4096
"""Bytes of each body kept in a violation's example exchange."""


def envelope(spec: Spec, status: int, detail: str) -> bytes:
    """An error envelope the proxy answers itself: the catalogue's code for ``status``.

    Where the catalogue has no entry for the status, the code mirrors the status, as the
    catalogue does for 401 and 403.
    """
    entry_ = next((e for e in spec.error_catalogue.values() if e.status == status), None)
    code = entry_.code if entry_ is not None else status
    message = entry_.message if entry_ is not None else HTTPStatus(status).phrase
    error = {"code": code, "message": f"{message} ({detail})"}
    return orjson.dumps({"data": None, "errors": [error], "warnings": None})


def decoded(raw: bytes, encoding: str) -> bytes | None:
    """The body as the checks must see it, or None for an encoding we cannot undo."""
    encoding = encoding.strip().lower()
    try:
        if encoding in ("", "identity"):
            return raw
        if encoding in ("gzip", "x-gzip"):
            return gzip.decompress(raw)
        if encoding == "deflate":
            return zlib.decompress(raw)
    except (OSError, zlib.error, EOFError):
        return None
    return None


@dataclass
class Answer:
    """What goes back to the client (and into the ledger and the HAR)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    source: str
    """``upstream``, ``mock`` or ``proxy`` (its own envelope)."""

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name), "")


def example(
    masker: Masker, method: str, url: str, headers: list[tuple[str, str]], body: bytes, answer: Answer
) -> dict[str, Any]:
    """One exchange as a report shows it: masked like the HAR, bodies cut short, a curl line."""
    req_media = next((v for k, v in headers if k.lower() == "content-type"), None)
    request_body = str(masker.body(body, req_media).get("text", ""))[:EXAMPLE_BODY] if body else ""
    masked = {k: masker.header(k, v) for k, v in headers}
    return {
        "curl": curl(method, masker.url(url), masked, request_body or None),
        "request": {"method": method, "url": masker.url(url), "headers": masked, "body": request_body},
        "response": {
            "status": answer.status,
            "source": answer.source,
            "headers": {k: masker.header(k, v) for k, v in answer.headers},
            "body": str(masker.body(answer.body, answer.header("content-type")).get("text", ""))[
                :EXAMPLE_BODY
            ],
        },
    }
