"""HAR captures (browser dev tools, proxies) as :class:`~contracts.exchange.Exchange` objects.

Each entry carries its own method, URL, status, headers and body, so a HAR needs no
``--operation``/``--status``: entries are matched to operations with :meth:`Spec.match`. Entries
that cannot be judged (no operation serves them, no response) come back as :class:`Unmatched`
for the caller to report, never as an exception.

A HAR is machine-written, so a wrong shape means a broken or forged file: an entry whose parts
are not what HAR 1.2 says (``entries`` null, ``content`` a string, a status ``200.5``, a URL that
does not parse, a text that is not Unicode, a body nested beyond :data:`MAX_BODY_DEPTH`) is a
one-line :class:`UsageError` naming the entry and the field.
"""

from __future__ import annotations

import base64
import binascii
import gc
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from contracts.errors import UsageError
from contracts.exchange import Exchange
from contracts.spec import MAX_CONTAINERS, MAX_DEPTH, Spec, depth_exceeds

MAX_BODY_DEPTH = MAX_DEPTH
"""Bodies nested deeper are refused: the checks walk bodies recursively."""
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$")
"""An HTTP method is a token (RFC 9110)."""


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


def _kind(value: Any) -> str:
    names = {str: "a string", list: "an array", dict: "an object", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _bad(index: int, field: str, problem: str) -> UsageError:
    return UsageError(f"HAR entry {index}: {field} {problem}", hint="is the file a HAR 1.2 capture?")


def _object(index: int, field: str, value: Any, *, optional: bool = False) -> dict[str, Any]:
    if value is None and optional:
        return {}
    if not isinstance(value, dict):
        raise _bad(index, field, f"must be an object, not {_kind(value)}")
    return value


def _string(index: int, field: str, value: Any, *, optional: bool = False) -> str:
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise _bad(index, field, f"must be a string, not {_kind(value)}")
    return value


def _encode(index: int, field: str, text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = text[exc.start : exc.start + 1].encode("unicode_escape").decode("ascii")
        raise _bad(index, field, f"holds {bad}, a lone surrogate that is not Unicode text") from None


def _headers(index: int, field: str, items: Any, *, joined: bool = False) -> dict[str, str | list[str]]:
    """HAR's ``[{name, value}]`` as a mapping; a repeated header keeps every value (``joined``: in
    one string, ``, `` between them, as they are read on the request side)."""
    if items is None:
        return {}
    if not isinstance(items, list):
        raise _bad(index, field, f"must be an array of {{name, value}}, not {_kind(items)}")
    headers: dict[str, str | list[str]] = {}
    for position, item in enumerate(items):
        if type(item) is dict:
            name, value = item.get("name"), item.get("value")
        else:
            name = value = None
        if type(name) is not str or type(value) is not str or not (name.isascii() and value.isascii()):
            item = _object(index, f"{field}[{position}]", item)  # the slow path says what is wrong
            name = _string(index, f"{field}[{position}].name", item.get("name"))
            value = _string(index, f"{field}[{position}].value", item.get("value"))
            _encode(index, f"{field}[{position}]", name + value)
        previous = headers.get(name)
        if previous is None:
            headers[name] = value
        elif joined:
            headers[name] = f"{previous}, {value}"
        else:
            headers[name] = [*([previous] if isinstance(previous, str) else previous), value]
    return headers


def _body(index: int, content: Any) -> bytes:
    if type(content) is not dict:
        content = _object(index, "response.content", content, optional=True)
    text, encoding = content.get("text"), content.get("encoding")
    if type(text) is not str:
        text = _string(index, "response.content.text", text, optional=True)
    if encoding is None:
        return _encode(index, "response.content.text", text)
    encoding = _string(index, "response.content.encoding", encoding, optional=True)
    if encoding == "base64":
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise _bad(index, "response.content.text", "is marked base64 but is not base64") from None
    if encoding:
        raise _bad(
            index, "response.content.encoding", f"{encoding[:20]!r} is not base64 (the only one HAR has)"
        )
    return _encode(index, "response.content.text", text)


def check_depth(index: int, exchange: Exchange) -> None:
    """Refuse a JSON body nested deeper than the checks can walk (a non-JSON body is theirs to judge).

    The body is parsed by the exchange itself, so the checks reuse this parse instead of a second one.
    """
    if len(exchange.body) <= MAX_BODY_DEPTH:
        return  # fewer brackets than levels allowed
    try:
        parsed = exchange.json if exchange.is_json else None
    except RecursionError:
        parsed = None
        too_deep = True
    else:
        too_deep = (
            parsed is not None
            and not _shallow(parsed, MAX_BODY_DEPTH)
            and depth_exceeds(parsed, MAX_BODY_DEPTH)
        )
    if too_deep:
        raise UsageError(f"HAR entry {index}: response body is nested deeper than {MAX_BODY_DEPTH} levels")


def _shallow(document: Any, limit: int) -> bool:
    """True when ``document`` is surely no deeper than ``limit`` and holds no more than
    :data:`~contracts.spec.MAX_CONTAINERS` values (False: :func:`depth_exceeds` must say).

    Level by level in C: :func:`gc.get_referents` of a level's objects is the next level (the values
    of objects, the items of arrays; strings and numbers have none), so a body costs one call a level
    rather than a Python step a value. A level of values only counts as one more, so this errs high.
    """
    level = [document]
    depth = seen = 0
    while level:
        depth += 1
        seen += len(level)
        if depth > limit or seen > MAX_CONTAINERS:
            return False
        level = gc.get_referents(*level)
    return True


def _status(index: int, value: Any) -> int:
    if type(value) is int and 100 <= value <= 599:
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        shown = repr(value)[:24]
        raise _bad(index, "response.status", f"must be an integer HTTP status, not {shown}")
    if value != 0 and not 100 <= value <= 599:
        raise _bad(index, "response.status", f"{str(value)[:24]} is not an HTTP status (100-599, or 0)")
    return value


def _path(index: int, url: str) -> str:
    """The URL's path as :func:`urllib.parse.urlsplit` reads it; a plain ``http(s)://host/path``
    (ASCII, no space or control character, no ``[`` in the host) without calling it."""
    plain = _PLAIN_URL.match(url) if url.isascii() else None
    if plain is not None:
        return plain.group(1) or ""
    try:
        return urlsplit(url).path
    except ValueError as exc:
        raise _bad(index, "request.url", f"does not parse as a URL ({exc})") from None


_PLAIN_URL = re.compile(r"https?://[^/?#\[\]\x00-\x20\x7f]*(/[^?#\x00-\x20\x7f]*)?(?=[?#]|\Z)")
"""A URL urlsplit reads as it is: nothing to strip or remove, the scheme lower-case, no IPv6 host."""
_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"})
"""Methods known to be tokens (any other is matched against :data:`_TOKEN`)."""


def _request_line(index: int, entry: Any) -> tuple[dict[str, Any], dict[str, Any], str, str, str, int]:
    if type(entry) is not dict:
        entry = _object(index, "the entry", entry)
    request, response = entry.get("request"), entry.get("response")
    if type(request) is not dict:
        request = _object(index, "request", request)
    if type(response) is not dict:
        response = _object(index, "response", response)
    method = request.get("method")
    if type(method) is not str or method not in _METHODS:
        method = _string(index, "request.method", method)
        if not _TOKEN.match(method):
            raise _bad(index, "request.method", f"{method[:32]!r} is not an HTTP method")
        method = method.upper()
    url = request.get("url")
    if type(url) is not str or not url.isascii():
        url = _string(index, "request.url", url)
        _encode(index, "request.url", url)
    return request, response, method, url, _path(index, url), _status(index, response.get("status"))


def exchanges(spec: Spec, document: Any, *, base_path: str = "") -> Iterator[Exchange | Unmatched]:
    """One Exchange per entry the spec serves (matched by method and path), else an Unmatched.

    ``base_path`` is stripped from URL paths first, for captures of a server mounted below ``/``.
    """
    entries = document["log"]["entries"]
    if not isinstance(entries, list):
        raise UsageError(f"HAR log.entries must be an array, not {_kind(entries)}")
    for index, entry in enumerate(entries):
        item = entry_item(spec, index, entry, base_path=base_path)
        if isinstance(item, Exchange):
            check_depth(index, item)
        yield item


def entry_item(spec: Spec, index: int, entry: Any, *, base_path: str = "") -> Exchange | Unmatched:
    """Entry ``index`` as an Exchange of the operation serving it, or an Unmatched; its body unread
    (:func:`check_depth` reads it), so this is cheap enough for the process that reads a stream."""
    request, response, method, url, path, status = _request_line(index, entry)
    if status == 0:  # browsers record aborted and blocked requests with status 0
        return Unmatched(index, method, url, "got no response (status 0)")
    if base_path and path.startswith(base_path):
        path = path[len(base_path) :] or "/"
    found = spec.match(method, path)
    if found is None:
        return Unmatched(index, method, url)
    post = request.get("postData")
    if type(post) is not dict:
        post = _object(index, "request.postData", post, optional=True)
    text = post.get("text")
    body = _body(index, response.get("content"))
    headers = _headers(index, "response.headers", response.get("headers"))
    request_headers: Any = _headers(index, "request.headers", request.get("headers"), joined=True)  # all str
    return Exchange.of(
        path_params=found[1],
        operation=found[0].operation_id,
        status=status,
        body=body,
        headers=headers,
        method=method,
        url=url,
        request_headers=request_headers,
        request_body=None
        if text is None
        else _encode(index, "request.postData.text", _string(index, "request.postData.text", text)),
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
