"""The ``--record`` HAR: every exchange appended as it happens, redacted, valid after any stop.

The file is ``STREAM_HEAD``, one entry per line and ``STREAM_TAIL``; each write overwrites the tail
with its entries plus the tail in one ``pwrite``, so the file is a complete HAR between writes and a
SIGKILL mid-write leaves at most one partial line, which :func:`contracts.har.read_streamed`
drops. The proxy's writes go through one writer thread (:meth:`HarRecorder.record`): the event
loop never waits on the disk, entries queued meanwhile share one ``pwrite``, and an exchange is
answered only once its entry is written. Entries are not kept in memory; the masked text of
recent small bodies is (a polled resource is masked once). Credential headers, cookies, URL
userinfo and the configured keys (query parameters, JSON body fields) are masked before a byte
is written.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import threading
from collections import OrderedDict
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
MASKED_BODIES = 256
MASKED_BODY_SIZE = 16 << 10
"""Masked bodies remembered: the last 256 of at most 16 KiB each (bounded at 4 MiB of text)."""
MAX_QUEUED = 1024
"""Entries waiting for the writer thread; past that a recording exchange waits for room."""


class Masker:
    """What a committed HAR (and a report's example) must not hold, masked the same way everywhere."""

    def __init__(self, redactor: Redactor, keys: Iterable[str] = ()) -> None:
        self.redactor = redactor
        self.keys = frozenset(k.lower() for k in keys)
        self._bodies: OrderedDict[tuple[bytes, str | None], dict[str, Any]] = OrderedDict()

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
        """HAR ``content``/``postData`` for ``raw``: masked JSON text, other text, or base64.

        The result is shared between calls with the same body: read it, do not change it.
        """
        if len(raw) > MASKED_BODY_SIZE:
            return self._body(raw, media)
        key = (hashlib.blake2b(raw, digest_size=16).digest(), media)
        content = self._bodies.get(key)
        if content is None:
            content = self._bodies[key] = self._body(raw, media)
            if len(self._bodies) > MASKED_BODIES:
                self._bodies.popitem(last=False)
        else:
            self._bodies.move_to_end(key)
        return content

    def _body(self, raw: bytes, media: str | None) -> dict[str, Any]:
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
    """Appends entries to a streamed HAR file; the file is complete after every write.

    :meth:`write` writes in the caller's thread; :meth:`record` (the proxy's) hands the entry to the
    writer thread and returns once it is on disk (an OSError of the disk is raised there).
    """

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
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._queue: list[tuple[bytes, asyncio.Future[None]]] = []
        self._room: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closing = False

    def _append(self, items: Sequence[bytes]) -> None:
        """One pwrite: the entries, then the tail over the old tail (call with the lock held)."""
        parts = []
        for n, item in enumerate(items):
            parts.append(b"\n," if self.entries + n else b"\n")
            parts.append(item)
        block = b"".join(parts)
        os.pwrite(self._fd, block + self._tail, self._offset)
        self._offset += len(block)
        self.entries += len(items)

    def write(self, item: Mapping[str, Any]) -> None:
        data = orjson.dumps(item)
        with self._lock:
            self._append([data])

    async def record(self, item: Mapping[str, Any]) -> None:
        data = orjson.dumps(item)
        if self._thread is None:
            self._loop = asyncio.get_running_loop()
            self._room = asyncio.Semaphore(MAX_QUEUED)
            self._thread = threading.Thread(target=self._run, name="har-writer", daemon=True)
            self._thread.start()
        assert self._room is not None and self._loop is not None
        async with self._room:
            done = self._loop.create_future()
            with self._wake:
                self._queue.append((data, done))
                self._wake.notify()
            await done

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._queue and not self._closing:
                    self._wake.wait()
                batch, self._queue = self._queue, []
                if not batch:
                    return
                error: OSError | None = None
                try:
                    self._append([data for data, _ in batch])
                except OSError as exc:
                    error = exc
            assert self._loop is not None
            try:
                self._loop.call_soon_threadsafe(_settle, [done for _, done in batch], error)
            except RuntimeError:  # the loop is closed: nobody waits any more
                return

    def close(self) -> None:
        if self._thread is not None:
            with self._wake:
                self._closing = True
                self._wake.notify()
            self._thread.join(timeout=30)
            self._thread = None
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _settle(waiting: Sequence[asyncio.Future[None]], error: OSError | None) -> None:
    for done in waiting:
        if not done.done():
            if error is None:
                done.set_result(None)
            else:
                done.set_exception(error)
