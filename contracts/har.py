"""HAR captures (browser dev tools, proxies) as :class:`~contracts.exchange.Exchange` objects.

Each entry carries its own method, URL, status, headers and body, so a HAR needs no
``--operation``/``--status``: entries are matched to operations with :meth:`Spec.match`. Entries
that cannot be judged (no operation serves them, no response) come back as :class:`Unmatched`
for the caller to report, never as an exception.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from contracts.errors import UsageError
from contracts.exchange import Exchange
from contracts.spec import Spec


@dataclass(frozen=True)
class Unmatched:
    """A HAR entry that cannot be judged: no operation of the spec serves it, or it got no response."""

    index: int
    method: str
    url: str
    reason: str = "matches no operation"


def is_har(document: Any) -> bool:
    """True for a HAR document (``{"log": {"entries": ...}}``), told apart from a body by content."""
    return (
        isinstance(document, dict) and isinstance(document.get("log"), dict) and "entries" in document["log"]
    )


def _headers(items: Any) -> dict[str, str | list[str]]:
    """HAR's ``[{name, value}]`` as a mapping; a repeated header keeps every value."""
    headers: dict[str, str | list[str]] = {}
    for item in items if isinstance(items, list) else []:
        if not (isinstance(item, dict) and "name" in item and "value" in item):
            continue
        name, value = str(item["name"]), str(item["value"])
        previous = headers.get(name)
        if previous is None:
            headers[name] = value
        else:
            headers[name] = [*([previous] if isinstance(previous, str) else previous), value]
    return headers


def _body(index: int, content: Any) -> bytes:
    content = content if isinstance(content, dict) else {}
    text = content.get("text") or ""
    if content.get("encoding") == "base64":
        try:
            return base64.b64decode(str(text), validate=True)
        except (binascii.Error, ValueError):
            raise UsageError(f"HAR entry {index}: a body marked base64 is not base64") from None
    return str(text).encode()


def _request_line(index: int, entry: Any) -> tuple[str, str, int]:
    try:
        request, response = entry["request"], entry["response"]
        return str(request["method"]).upper(), str(request["url"]), int(response["status"])
    except (KeyError, TypeError, ValueError):
        raise UsageError(f"HAR entry {index} lacks request.method, request.url or response.status") from None


def exchanges(spec: Spec, document: Any, *, base_path: str = "") -> Iterator[Exchange | Unmatched]:
    """One Exchange per entry the spec serves (matched by method and path), else an Unmatched.

    ``base_path`` is stripped from URL paths first, for captures of a server mounted below ``/``.
    """
    entries = document["log"]["entries"]
    if not isinstance(entries, list):
        raise UsageError("HAR log.entries is not an array")
    for index, entry in enumerate(entries):
        method, url, status = _request_line(index, entry)
        if status == 0:  # browsers record aborted and blocked requests with status 0
            yield Unmatched(index, method, url, "got no response (status 0)")
            continue
        path = urlsplit(url).path
        if base_path and path.startswith(base_path):
            path = path[len(base_path) :] or "/"
        found = spec.match(method, path)
        if found is None:
            yield Unmatched(index, method, url)
            continue
        request, response = entry["request"], entry["response"]
        post = request.get("postData")
        text = post.get("text") if isinstance(post, dict) else None
        yield Exchange(
            operation=found[0].operation_id,
            status=status,
            body=_body(index, response.get("content")),
            headers=_headers(response.get("headers")),
            method=method,
            url=url,
            request_headers={
                k: ", ".join(v) if isinstance(v, list) else v
                for k, v in _headers(request.get("headers")).items()
            },
            request_body=None if text is None else str(text).encode(),
        )


STREAM_HEAD = '{"log":{"version":"1.2","creator":{"name":"contracts proxy","version":"1"},"entries":['
"""The first line of a HAR streamed by ``contracts proxy --record``; then one entry per line
(``{...}``, later ones ``,{...}``) and :data:`STREAM_TAIL`, rewritten after every entry."""
STREAM_TAIL = "\n]}}\n"


def read_streamed(text: str) -> tuple[dict[str, Any], int] | None:
    """A streamed HAR cut short (killed mid-write) as (document, partial lines dropped), else None.

    Every complete line is an entry, so a stop at any moment loses at most the entry being written.
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != STREAM_HEAD:
        return None
    import json

    entries: list[Any] = []
    dropped = 0
    for line in lines[1:]:
        line = line.strip()
        if line.startswith("]"):
            break
        if not line:
            continue
        try:
            item = json.loads(line[1:] if line.startswith(",") else line)
        except ValueError:
            item = None
        if not (isinstance(item, dict) and "request" in item and "response" in item):
            dropped += 1
            break
        entries.append(item)
    return {"log": {"version": "1.2", "creator": {"name": "contracts proxy"}, "entries": entries}}, dropped
