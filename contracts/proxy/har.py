"""The ``--record`` HAR: every exchange appended as it happens, redacted, valid after any stop.

The file is ``STREAM_HEAD``, one entry per line and ``STREAM_TAIL``; each entry overwrites the tail
with itself plus the tail in one ``pwrite``, so the file is a complete HAR between writes and a
SIGKILL mid-write leaves at most one partial line, which :func:`contracts.har.read_streamed`
drops. Nothing is kept in memory. Credential headers, cookies, URL userinfo and the configured
keys (query parameters, JSON body fields) are masked before a byte is written.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson

from contracts.errors import UsageError
from contracts.har import STREAM_HEAD, STREAM_TAIL
from contracts.report.redact import MASK, Redactor

CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
)
MAX_RECORDED_BODY = 1 << 20
"""Bodies are recorded up to 1 MiB; a longer one is cut and the entry says so."""


class Masker:
    """What a committed HAR (and a report's example) must not hold, masked the same way everywhere."""

    def __init__(self, redactor: Redactor, keys: Iterable[str] = ()) -> None:
        self.redactor = redactor
        self.keys = frozenset(k.lower() for k in keys)

    def header(self, name: str, value: str) -> str:
        lowered = name.lower()
        if lowered in CREDENTIAL_HEADERS or lowered in self.keys:
            return MASK
        return self.redactor.text(value)

    def headers(self, items: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
        return [{"name": k, "value": self.header(k, v)} for k, v in items]

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = MASK + "@" + netloc.rsplit("@", 1)[1]
        query = parts.query
        if query and self.keys:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode([(k, MASK if k.lower() in self.keys else v) for k, v in pairs], safe="[]")
        return self.redactor.text(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))

    def json(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: MASK if str(k).lower() in self.keys else self.json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(v) for v in value]
        return self.redactor.data(value)

    def body(self, raw: bytes, media: str | None) -> dict[str, Any]:
        """HAR ``content``/``postData`` for ``raw``: masked JSON text, other text, or base64."""
        cut = len(raw) > MAX_RECORDED_BODY
        raw = raw[:MAX_RECORDED_BODY]
        content: dict[str, Any] = {"mimeType": media or "", "size": len(raw)}
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            content.update(text=base64.b64encode(raw).decode(), encoding="base64")
        else:
            try:
                text = orjson.dumps(self.json(orjson.loads(raw))).decode() if raw.strip() else text
            except (orjson.JSONDecodeError, RecursionError):
                text = self.redactor.text(text)
            content["text"] = text
        if cut:
            content["comment"] = f"cut at {MAX_RECORDED_BODY} bytes"
        return content


def entry(
    masker: Masker,
    *,
    started: str,
    elapsed_ms: float,
    method: str,
    url: str,
    request_headers: Sequence[tuple[str, str]],
    request_body: bytes,
    status: int,
    response_headers: Sequence[tuple[str, str]],
    response_body: bytes,
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    """One HAR 1.2 entry, masked; ``extra`` goes to the custom ``_contracts`` field."""
    req_media = next((v for k, v in request_headers if k.lower() == "content-type"), None)
    resp_media = next((v for k, v in response_headers if k.lower() == "content-type"), None)
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    request: dict[str, Any] = {
        "method": method,
        "url": masker.url(url),
        "httpVersion": "HTTP/1.1",
        "headers": masker.headers(request_headers),
        "queryString": [
            {"name": k, "value": MASK if k.lower() in masker.keys else masker.redactor.text(v)}
            for k, v in query
        ],
        "cookies": [],
        "headersSize": -1,
        "bodySize": len(request_body),
    }
    if request_body:
        post = masker.body(request_body, req_media)
        request["postData"] = {
            k: v for k, v in post.items() if k in ("mimeType", "text", "encoding", "comment")
        }
    return {
        "startedDateTime": started,
        "time": round(elapsed_ms, 3),
        "request": request,
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "headers": masker.headers(response_headers),
            "cookies": [],
            "content": masker.body(response_body, resp_media),
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(response_body),
        },
        "cache": {},
        "timings": {"send": 0, "wait": round(elapsed_ms, 3), "receive": 0},
        "_contracts": dict(extra),
    }


class HarRecorder:
    """Appends entries to a streamed HAR file; the file is complete after every :meth:`write`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except OSError as exc:
            raise UsageError(f"{path}: cannot write the HAR ({exc.strerror or exc})") from None
        head = STREAM_HEAD.encode()
        os.pwrite(self._fd, head + STREAM_TAIL.encode(), 0)
        self._offset = len(head)
        self._tail = STREAM_TAIL.encode()
        self.entries = 0

    def write(self, item: Mapping[str, Any]) -> None:
        line = (b"\n," if self.entries else b"\n") + orjson.dumps(item)
        os.pwrite(self._fd, line + self._tail, self._offset)
        self._offset += len(line)
        self.entries += 1

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
