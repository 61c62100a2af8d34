"""The stateful mock of the API, built from the spec alone: ``create_app(spec)`` → an ASGI app.

Every operation of the spec is routed through ``spec.match`` (so routing cannot drift from the
spec), requests are validated against the spec's schemas, errors are envelopes with catalogued
codes only, and ``strict=True`` runs every reply through the check registry.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from contracts.error_facts import INVALID_INPUT
from contracts.errors import ConfigError
from contracts.mock import handlers, seed
from contracts.mock.auth import Auth
from contracts.mock.facts import Collections, Facts, value_roles, values_at
from contracts.mock.guard import BODY, DEFAULT_MAX_BODY, MATCH, RAW, Guard, http_protocol, parsed_body
from contracts.mock.replies import Reply, error, ok
from contracts.mock.requests import ABSENT, Invalid, RequestValidator, integral
from contracts.mock.rules import REQUEST_RULES
from contracts.mock.selfcheck import SelfCheck
from contracts.mock.shapes import Shapes
from contracts.mock.store import Store, StoreFull
from contracts.spec import Operation, Spec

log = logging.getLogger(__name__)
RUNNING = ("PeriodStatus", "running")
"""The enum role that makes a period its group's ``activePeriod``."""
BUG = b'{"data":null,"errors":[{"code":500,"message":"Internal mock error"}],"warnings":null}'
__all__ = ["create_app", "serve_in_thread"]


class MockApp:
    """Dispatch (behind guard.Guard): operation → pre-checks with specific codes → validation → handler."""

    def __init__(self, spec: Spec, store: Store, strict: bool) -> None:
        self.spec, self.store = spec, store
        self.state = State()
        self.lock = threading.Lock()
        self.validators = {op.operation_id: RequestValidator(spec, op) for op in spec.operations}
        self.selfcheck = SelfCheck(spec) if strict else None
        self.invalid_input = spec.error_facts.role(INVALID_INPUT)
        self.collections = Collections.of(spec)
        roles = value_roles(spec)
        store.running = roles.get(RUNNING[0], {}).get(RUNNING[1], ())
        self.facts = {op.operation_id: Facts(spec, op, self.collections, roles) for op in spec.operations}
        shapes = Shapes(spec)
        self.replies = {op.operation_id: shapes.reply(op) for op in spec.operations}
        """The shape of each operation's ``data``: every reply is its behaviour's answer projected onto it."""
        self.bodies = {op.operation_id: shapes.of(op.request_schema()) for op in spec.operations}
        """The shape of each request body: the mock ignores what it does not declare, as a server binding a
        request to its model does, so it never stores a field the spec does not know."""
        self.behaviours = {
            op_id: handlers.BEHAVIOURS[name]
            for op_id, facts in self.facts.items()
            if (name := handlers.implied(facts, self.collections)) in handlers.BEHAVIOURS
        }
        missing = [op.operation_id for op in spec.operations if op.operation_id not in self.behaviours]
        if missing:
            log.warning("no mock behaviour for %s: they answer their first example", ", ".join(missing))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI app itself: every path goes to :meth:`handle` (routing is the spec's), no framework
        stack in between. A mock bug is answered 500 and raised, as starlette's error middleware does."""
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        try:
            response = await self.handle(scope, receive)
        except Exception:
            await Response(BUG, status_code=500, media_type="application/json")(scope, receive, send)
            raise
        await response(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive) -> Response:
        path = scope["path"]
        found = scope[MATCH] if MATCH in scope else self.spec.match(scope["method"], path)
        if found is None:
            allowed = self.spec.methods_at(path)
            status = 405 if allowed else 404
            body = b'{"data":null,"errors":[{"code":%d,"message":"%s"}],"warnings":null}' % (
                status,
                b"Method not allowed" if allowed else b"No such resource",
            )
            headers = {"Allow": ", ".join(allowed)} if allowed else {}
            return Response(body, status_code=status, media_type="application/json", headers=headers)
        op, path_params = found  # credentials, body size and JSON syntax: judged by guard.Guard in front
        if RAW in scope:  # the guard read it
            raw_body = scope[RAW]
        else:
            raw_body = b"" if BODY in scope else await Request(scope, receive).body()
        with self.lock:  # one request at a time changes the store, whichever thread serves it
            response = self.respond(op, path_params, scope, raw_body)
        if self.selfcheck is not None:
            response = self.selfcheck.verify(op, Request(scope, receive), response)
        return response

    def respond(self, op: Operation, path: Mapping[str, str], scope: Scope, raw_body: bytes) -> Response:
        validator, facts = self.validators[op.operation_id], self.facts[op.operation_id]
        raw_query = scope.get("query_string", b"")
        query = (
            dict(urllib.parse.parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True))
            if raw_query
            else {}
        )
        headers = (
            {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            if validator.reads_headers
            else {}
        )
        mark = self.store.savepoint()  # a refused write leaves nothing behind
        try:
            body = parsed_body(scope, raw_body, validator.parse_body, integral)
            self.coded(facts, validator, body, path, query, headers)
            params = validator.parameters(path, query, headers)
            validator.check_body(body)
            known = self.bodies[op.operation_id]
            if known is not None and body is not ABSENT:
                body = known.project(body)
            call = handlers.Call(
                self.store,
                facts,
                self.collections,
                params,
                None if body is ABSENT else body,
                shape=self.replies[op.operation_id],
                invalid_input=self.invalid_input,
            )
            for name in facts.rules:
                if name in REQUEST_RULES:
                    REQUEST_RULES[name](call)
            self.look_up(call)
            self.unique(call)
            behaviour = self.behaviours.get(op.operation_id)
            data = behaviour(call) if behaviour is not None else self.example(op)
        except BaseException as exc:
            self.store.roll_back(mark)  # a refusal, or a mock bug (answered 500): nothing half-made stays
            if isinstance(exc, Invalid):
                return error(self.spec, op, self.invalid_input, str(exc))
            if isinstance(exc, Reply):
                return error(self.spec, op, exc.code, exc.detail)
            if isinstance(exc, StoreFull):
                return error(
                    self.spec,
                    op,
                    self.invalid_input,
                    f"the mock's store is full ({exc.args[0]} entities); restart it or raise --max-entities",
                )
            raise
        return ok(call.shape.project(data), **call.extra)

    @staticmethod
    def coded(
        facts: Facts,
        validator: RequestValidator,
        body: Any,
        path: Mapping[str, str],
        query: dict[str, str],
        headers: dict[str, str],
    ) -> None:
        """``x-constraint-codes``: a value failing that keyword gets its own code, before the generic one."""
        for name, location, coded in facts.param_codes:
            value = validator.raw_value(name, location, path, query, headers)
            if value is not ABSENT and not coded.validator.is_valid(value):
                raise Reply(coded.code)
        if body is ABSENT:
            return
        for where, code in facts.missing_codes:
            if any(isinstance(o, dict) and where[-1] not in o for o in values_at(body, where[:-1])):
                raise Reply(code)
        for coded in facts.body_codes:
            if any(not coded.validator.is_valid(v) for v in values_at(body, coded.where)):
                raise Reply(coded.code)

    def look_up(self, call: handlers.Call) -> None:
        """``x-not-found-code``: each id names a record (of its parent, where nested), or gets its code."""
        for lookup in call.facts.lookups:
            if lookup.name not in call.params:
                continue
            record = self.store.collection(lookup.collection).get(call.params[lookup.name])
            parent = call.found.get(lookup.parent) if lookup.parent else None
            link = self.collections.id_param.get(self.collections.parent.get(lookup.collection, ""))
            if record is None or (parent is not None and link and record.get(link) != parent["id"]):
                raise Reply(lookup.code)
            call.found[lookup.name] = record

    def unique(self, call: handlers.Call) -> None:
        """``x-unique``: the value is not another record's of the collection the operation writes."""
        facts = call.facts
        if not facts.unique or facts.writes is None or not isinstance(call.body, dict):
            return
        own = call.found.get(facts.self_param) if facts.self_param else None
        for name, code in facts.unique:
            if name in call.body:
                owner = self.store.unique_owner(facts.writes, name, call.body[name])
                if owner is not None and (own is None or owner != own["id"]):
                    raise Reply(code)

    def example(self, op: Operation) -> Any:
        media = op.response_media(200).get("application/json", {})
        for example in media.get("examples", {}).values():
            return self.spec.deref(example)["value"]["data"]
        raise Reply(self.invalid_input, "the mock has no behaviour for this operation")


def create_app(
    spec: Spec,
    *,
    empty: bool = False,
    credentials: tuple[str, str] | None = None,
    no_access_credentials: tuple[str, str] | Literal["default"] | None = "default",
    strict: bool = False,
    max_entities: int = 10_000,
    max_body: int | None = None,
) -> Guard:
    """The mock as an ASGI app behind its guard; ``app.state.store`` is its state, ``app.state.violations``
    strict findings. ``credentials``: the Basic pair required (``None``: any); ``no_access_credentials``:
    a valid pair without access, answered 403 everywhere (default
    :data:`contracts.runner.auth.LOCAL_NOACCESS_CREDENTIALS`; ``None``: none); ``max_body``: the largest
    request body in bytes (``None``: :data:`contracts.mock.guard.DEFAULT_MAX_BODY`)."""
    if no_access_credentials == "default":
        from contracts.runner.auth import LOCAL_NOACCESS_CREDENTIALS

        no_access_credentials = LOCAL_NOACCESS_CREDENTIALS
    auth = Auth(credentials, no_access_credentials)
    store = Store(max_entities=max_entities)
    if not empty:
        seed.load(spec, store)
    mock = MockApp(spec, store, strict)
    mock.state.store = store
    mock.state.violations = mock.selfcheck.violations if mock.selfcheck else []
    return Guard(mock, spec, auth, max_body=DEFAULT_MAX_BODY if max_body is None else max_body)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: a free one), or a one-line ConfigError."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError, ValueError, OverflowError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise ConfigError(
            f"cannot serve on {host!r}: not a host name or address ({reason})",
            hint="use an address such as 127.0.0.1 or ::1",
        ) from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        hint = {
            errno.EADDRINUSE: "choose another --port, or --port 0 for a free one",
            errno.EADDRNOTAVAIL: "not an address of this machine; use 127.0.0.1 or ::1",
            errno.EACCES: "ports below 1024 need privileges; choose another --port",
        }.get(exc.errno or 0)
        raise ConfigError(f"cannot serve on {host}:{port} ({exc.strerror or exc})", hint=hint) from None
    sock.setblocking(False)
    return sock


def url_of(sock: socket.socket) -> str:
    """The base URL a listening socket serves (IPv6 addresses in brackets)."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@contextlib.contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a loopback port (``None`` or 0: a free one) in a thread; yields the
    base URL. A port that cannot be bound is a ConfigError naming it, raised here, before any thread."""
    import uvicorn

    sock = bind(host, port or 0)
    http = http_protocol(app.spec) if isinstance(app, Guard) else "auto"
    server = uvicorn.Server(uvicorn.Config(app, http=http, log_level="error", lifespan="off"))
    failed: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # noqa: BLE001 - reported to the caller below, not swallowed
            failed.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                reason = f": {failed[0].__class__.__name__}: {failed[0]}" if failed else ""
                raise RuntimeError(f"the mock did not start on {url_of(sock)}{reason}")
            time.sleep(0.02)
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
