"""The mock's HTTP front: abusive requests get a 4xx in the API's envelope before the app sees them.

A pure ASGI middleware in front of the mock app, in the order a real server's filters run:

1. a body larger than ``max_body`` bytes: refused at once from ``Content-Length``, or as soon as a
   chunked body passes the limit (never more than ``max_body`` bytes are held, whatever the client
   sends), with the invalid-input code and its catalogued status (400: the spec documents no 413);
2. credentials (:mod:`contracts.mock.auth`): 401 / 403 with the spec's role codes, before any body is
   read or parsed;
3. integer path and query parameters that are not ASCII decimal integers within their ``format``
   (``%C2%B2``, ``١٢٣``, 5,000 digits): 400 with the parameter's ``type`` constraint code, else the
   invalid-input code;
4. a body on an operation with a JSON request body: it must be sent as JSON (``Content-Type``
   ``application/json`` or ``…+json``, UTF-8) and be valid JSON — no invalid UTF-8, lone surrogates,
   ``NaN``/``Infinity``, numbers beyond a double, or nesting deeper than :data:`MAX_DEPTH`: else 400 with
   the invalid-input code.

Anything else passes untouched. The operation matched, the body read and the body parsed are handed
to the app in the scope (:data:`MATCH`, :data:`RAW`, :data:`BODY`), so each is done once. Codes come
from ``components["x-error-roles"]`` of the spec.
"""

from __future__ import annotations

import asyncio
import http
import json
import logging
import re
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, get_args

import orjson

from contracts.error_facts import INVALID_INPUT
from contracts.mock.auth import Auth, Denial
from contracts.spec import Operation, Parameter, Spec

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BODY = "contracts.mock.body"
"""Scope key: the request body as the guard parsed it (present only when it parsed one)."""
MATCH = "contracts.mock.match"
"""Scope key: ``spec.match`` of the request as the guard found it (its path parameters read-only), so
the app does not match again."""
MATCHES = 4096
"""Matches the guard remembers (by method and path); it starts over when full."""
_UNSEEN: Any = object()
RAW = "contracts.mock.raw"
"""Scope key: the raw body the guard read (``b""`` for none), so the app does not read it again."""
DEFAULT_MAX_BODY = 1 << 20
"""1 MiB: the API's largest documented request (a bulk of targets) is a few kilobytes."""
MAX_DEPTH = 64
"""Nesting bound for request JSON; the spec's deepest request body is a handful of levels."""

_INTEGER = re.compile(r"-?[0-9]+(?:\.0+)?")
"""ASCII decimal integers; an integer-valued decimal (``8175.0``) is an integer, as in JSON Schema."""
_LONG_DIGITS = re.compile(rb"[0-9]{19}")
"""A digit run orjson may read as a float (beyond 64 bits): such bodies are re-read by the stdlib."""
_RANGES = {"int32": 1 << 31, "int64": 1 << 63}
_MAX_DIGITS = 4000
"""An integer without a ``format`` may be long, not longer than Python's int() accepts (4,300)."""
_JSON_TYPE = re.compile(r"application/(?:[\w.+-]+\+)?json\Z")


class Refused(Exception):
    """The request is answered by the guard: ``code`` (catalogued; its status is the catalogue's), ``detail``."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class IntegerParam(Parameter):
    """An integer path or query parameter: its bound (``None``: only the parser's) and refusal code."""

    bound: int | None
    code: int


@dataclass(frozen=True)
class Rules:
    """What the guard checks for one operation, compiled once."""

    json_body: bool
    path: tuple[IntegerParam, ...]
    query: tuple[IntegerParam, ...]


def _rules(spec: Spec, op: Operation, invalid: int) -> Rules:
    params: list[IntegerParam] = []
    for param in spec.error_facts.of(op).parameters:
        schema = param.schema
        if schema.get("type") != "integer":
            continue
        code = param.code("type")
        code = code if code is not None and code in op.error_codes else invalid
        bound = _RANGES.get(str(schema.get("format")))
        params.append(IntegerParam.extending(param, bound=bound, code=code))
    return Rules(
        op.request_schema() is not None,
        tuple(p for p in params if p.location == "path"),
        tuple(p for p in params if p.location == "query"),
    )


def _check_integer(param: IntegerParam, value: str) -> None:
    if len(value) > _MAX_DIGITS or not _INTEGER.fullmatch(value):
        raise Refused(param.code, f"{param.location} {param.name}: not an integer")
    if param.bound is not None and not -param.bound <= int(value.partition(".")[0]) < param.bound:
        raise Refused(param.code, f"{param.location} {param.name}: out of range")


def parse_json(raw: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """``raw`` as JSON, strictly: UTF-8, no NaN/Infinity, no lone surrogates, bounded nesting.

    orjson does the strict part fast; a body holding a 19-digit run is re-read by the stdlib so
    integers beyond 64 bits stay exact integers (orjson would make them floats).
    """
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} at byte {exc.pos}") from None
    if raw.count(b"[") + raw.count(b"{") > max_depth and _deeper_than(value, max_depth):
        raise ValueError(f"nested deeper than {max_depth} levels")
    if _LONG_DIGITS.search(raw):
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):
            raise ValueError("not valid JSON: a number out of range") from None
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _is_json_type(value: bytes | None) -> bool:
    if value is None:
        return False
    media, _, params = value.decode("latin-1").partition(";")
    if not _JSON_TYPE.match(media.strip().lower()):
        return False
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


class _Disconnected(Exception):
    """The client went away while sending its body; nothing is answered."""


class Guard:
    """The ASGI front of the mock; ``state`` is the wrapped app's (store, violations)."""

    def __init__(self, app: Any, spec: Spec, auth: Auth, *, max_body: int = DEFAULT_MAX_BODY) -> None:
        if max_body < 1:
            raise ValueError("max_body must be at least 1 byte")
        self.app, self.spec, self.auth, self.max_body = app, spec, auth, max_body
        self.state: Any = getattr(app, "state", None)  # the store and strict findings, as before
        self.invalid = spec.error_facts.role(INVALID_INPUT)
        self.denied = {role: spec.error_facts.role(role) for role in get_args(Denial)}
        self.rules = {op.operation_id: _rules(spec, op, self.invalid) for op in spec.operations}
        self._matches: dict[tuple[str, str], tuple[Operation, MappingProxyType[str, str]] | None] = {}
        """``spec.match`` by method and path, ids included: ``Spec.match`` remembers only paths without
        parameters (a validated capture seldom repeats an id), a mock's clients ask for the same record
        again and again."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            receive = await self._admit(scope, receive)
        except Refused as refused:
            await self._refuse(send, refused)
            return
        except _Disconnected:
            return
        await self.app(scope, receive, send)

    async def _admit(self, scope: Scope, receive: Receive) -> Receive:
        """The ``receive`` the app should use (the body replayed when the guard read it), or Refused."""
        headers = dict(scope["headers"])  # one C-level pass; names are lower-case in ASGI
        length: bytes | None = headers.get(b"content-length")
        authorization: bytes | None = headers.get(b"authorization")
        declared = 0
        if length is not None:
            if not length.isdigit() or len(length) > 18:
                raise Refused(self.invalid, "Content-Length is not a byte count")
            declared = int(length)
            if declared > self.max_body:
                raise self._too_large()
        found = scope[MATCH] = self._match(scope["method"], scope["path"])
        if found is None:
            return receive  # the app answers 404/405 and never reads the body
        op, path = found
        denial = self.auth.denial(None if authorization is None else authorization.decode("latin-1"))
        if denial is not None:
            raise Refused(self.denied[denial], "")
        rules = self.rules[op.operation_id]
        for param in rules.path:
            if param.name in path:
                _check_integer(param, path[param.name])
        if rules.query and scope.get("query_string"):
            self._check_query(rules, scope["query_string"])
        if not declared and b"transfer-encoding" not in headers:
            scope[RAW] = b""
            return receive  # no body
        raw = scope[RAW] = await self._read(receive)
        if rules.json_body and raw and not raw.isspace():
            media: bytes | None = headers.get(b"content-type")
            if media != b"application/json" and not _is_json_type(media):
                shown = "none" if media is None else repr(media.decode("latin-1")[:60])
                raise Refused(self.invalid, f"body: must be sent as application/json (Content-Type: {shown})")
            try:
                scope[BODY] = parse_json(raw)
            except ValueError as exc:
                raise Refused(self.invalid, f"body: {exc}") from None
        return _replay(raw, receive)

    def _match(self, method: str, path: str) -> tuple[Operation, MappingProxyType[str, str]] | None:
        key = (method, path)
        found = self._matches.get(key, _UNSEEN)
        if found is _UNSEEN:
            matched = self.spec.match(method, path)
            found = None if matched is None else (matched[0], MappingProxyType(matched[1]))
            if len(self._matches) >= MATCHES:
                self._matches.clear()
            self._matches[key] = found
        return found  # type: ignore[no-any-return]

    def _check_query(self, rules: Rules, query: bytes) -> None:
        values = urllib.parse.parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        for param in rules.query:
            for name, value in values:
                if name == param.name:
                    _check_integer(param, value)

    async def _read(self, receive: Receive) -> bytes:
        """The whole body, holding at most ``max_body`` bytes: past that, Refused at once."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise self._too_large()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def _too_large(self) -> Refused:
        """Invalid input, as the spec says (no page documents a size limit or a 413; spec/NOTES.md)."""
        return Refused(self.invalid, f"body: larger than the mock's limit of {self.max_body} bytes")

    async def _refuse(self, send: Send, refused: Refused) -> None:
        entry = self.spec.error_catalogue[refused.code]
        message = entry.message if not refused.detail else f"{entry.message} ({refused.detail})"
        body = orjson.dumps(
            {"data": None, "errors": [{"code": refused.code, "message": message}], "warnings": None}
        )
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": entry.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _replay(raw: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands over the body already read, then defers to the server's."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    return again


def parsed_body(
    scope: Scope, raw: bytes, parse: Callable[[bytes], Any], adopt: Callable[[Any], Any] = lambda v: v
) -> Any:
    """``adopt`` of the body the guard parsed for this request, else ``parse(raw)`` (no guard in front,
    or no body): ``parse`` and ``adopt`` give the app's own reading of a body either way."""
    return adopt(scope[BODY]) if BODY in scope else parse(raw)


INVALID_HTTP = "Invalid HTTP request received."
"""uvicorn's warning for bytes it cannot parse as HTTP/1.1 (its httptools and h11 protocols)."""


class _AnsweredInvalidHTTP(logging.Filter):
    """Drops uvicorn's invalid-request warning: the mock answers such a request in the envelope (see
    :func:`http_protocol`), the client has its reason, and nothing is wrong with the mock."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != INVALID_HTTP


QUIET_INVALID_HTTP = _AnsweredInvalidHTTP()


def http_protocol(spec: Spec) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol (httptools when installed, as ``http="auto"`` picks), answering the
    requests it cannot even parse (raw non-ASCII bytes in the target, a malformed header or
    Content-Length) in the API's envelope with the invalid-input code instead of plain text."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    code = spec.error_facts.role(INVALID_INPUT)
    entry = spec.error_catalogue[code]
    message = f"{entry.message} (the request is not valid HTTP/1.1)"
    body = orjson.dumps({"data": None, "errors": [{"code": code, "message": message}], "warnings": None})
    status = http.HTTPStatus(entry.status)
    head = b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n" % (
        status.value,
        status.phrase.encode(),
        len(body),
    )
    reply = head + b"connection: close\r\n\r\n" + body
    logging.getLogger("uvicorn.error").addFilter(QUIET_INVALID_HTTP)  # the logger uvicorn's protocols use

    class EnvelopeProtocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(JoinedWrites(transport))

        def on_response_complete(self) -> None:
            self.transport.response_done()
            super().on_response_complete()

        def send_400_response(self, msg: str) -> None:
            self.transport.write(reply)
            self.transport.close()

    return EnvelopeProtocol


_CONTINUE = b"HTTP/1.1 100 "
"""The interim answer to ``Expect: 100-continue``: the client waits for it before sending its body."""


class JoinedWrites:
    """A connection's transport that writes each response's head together with its body.

    uvicorn writes every ASGI message as it comes: the head and the body of a reply in two
    ``send(2)`` calls and two TCP segments, the client woken twice. The head is held until the
    next write (the body), the end of the response (a body-less reply) or a close; the interim
    ``100 Continue`` and everything else go straight through."""

    __slots__ = ("_head", "_next_is_head", "_transport")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._head = b""
        self._next_is_head = True

    def write(self, data: bytes) -> None:
        if self._next_is_head and not data.startswith(_CONTINUE):
            self._next_is_head = False
            self._head = data
            return
        if self._head:
            data, self._head = self._head + data, b""
        self._transport.write(data)

    def response_done(self) -> None:
        """The response is complete: its head is out, and the next write starts another response."""
        self._flush()
        self._next_is_head = True

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def _flush(self) -> None:
        if self._head:
            head, self._head = self._head, b""
            self._transport.write(head)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
