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
from collections.abc import Iterator
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contracts.errors import ConfigError
from contracts.mock import handlers, seed
from contracts.mock.auth import Auth
from contracts.mock.guard import DEFAULT_MAX_BODY, Guard, http_protocol, parsed_body
from contracts.mock.replies import Reply, error, ok
from contracts.mock.requests import ABSENT, Invalid, RequestValidator
from contracts.mock.selfcheck import SelfCheck
from contracts.mock.store import Store, StoreFull
from contracts.spec import Operation, Spec

log = logging.getLogger(__name__)
INVALID_INPUT, INVALID_USER, NAME_TOO_LONG, INVALID_ENROLLMENT = 300004, 310011, 310008, 310130
INVALID_KEY = 310145
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
__all__ = ["create_app", "serve_in_thread"]


class MockApp:
    """Dispatch (behind guard.Guard): operation → pre-checks with specific codes → validation → handler."""

    def __init__(self, spec: Spec, store: Store, strict: bool) -> None:
        self.spec, self.store = spec, store
        self.validators = {op.operation_id: RequestValidator(spec, op) for op in spec.operations}
        self.selfcheck = SelfCheck(spec) if strict else None
        missing = [op.operation_id for op in spec.operations if op.operation_id not in handlers.HANDLERS]
        if missing:
            log.warning("no mock behaviour for %s: they answer their first example", ", ".join(missing))

    async def handle(self, request: Request) -> Response:
        found = self.spec.match(request.method, request.url.path)
        if found is None:
            allowed = self.spec.methods_at(request.url.path)
            status = 405 if allowed else 404
            body = b'{"data":null,"errors":[{"code":%d,"message":"%s"}],"warnings":null}' % (
                status,
                b"Method not allowed" if allowed else b"No such resource",
            )
            headers = {"Allow": ", ".join(allowed)} if allowed else {}
            return Response(body, status_code=status, media_type="application/json", headers=headers)
        op, path_params = found  # credentials, body size and JSON syntax: judged by guard.Guard in front
        raw_body = await request.body()
        response = self.respond(op, path_params, request, raw_body)
        if self.selfcheck is not None:
            response = self.selfcheck.verify(op, request, response)
        return response

    def respond(self, op: Operation, path: dict[str, str], request: Request, raw_body: bytes) -> Response:
        validator = self.validators[op.operation_id]
        try:
            body = parsed_body(request.scope, raw_body, validator.parse_body)
            self.precheck(op, path, dict(request.query_params), body)
            params = validator.parameters(
                path, dict(request.query_params), {k.lower(): v for k, v in request.headers.items()}
            )
            validator.check_body(body)
            body = validator.known(body)
            call = handlers.Call(self.store, params, None if body is ABSENT else body)
            handler = handlers.HANDLERS.get(op.operation_id)
            data = handler(call) if handler is not None else self.example(op)
        except Invalid as exc:
            return error(self.spec, op, INVALID_INPUT, str(exc))
        except Reply as exc:
            return error(self.spec, op, exc.code, exc.detail)
        except StoreFull as exc:
            return error(
                self.spec,
                op,
                INVALID_INPUT,
                f"the mock's store is full ({exc.args[0]} entities); restart it or raise --max-entities",
            )
        return ok(data, **call.extra)

    def precheck(self, op: Operation, path: dict[str, str], query: dict[str, str], body: Any) -> None:
        """The specific codes the docs give for some invalid inputs, before the generic 300004."""
        codes = op.error_codes
        if (
            INVALID_USER in codes
            and "userId" in path
            and not (path["userId"].isdigit() and int(path["userId"]) > 0)
        ):
            raise Reply(INVALID_USER)
        enrollment = query.get("enrollmentType")
        if (
            INVALID_ENROLLMENT in codes
            and enrollment is not None
            and enrollment not in self._enrollment_types(op)
        ):
            raise Reply(INVALID_ENROLLMENT)
        if INVALID_KEY in codes and isinstance(body, dict) and body.get("type") not in self._name_types(op):
            raise Reply(INVALID_KEY)
        if NAME_TOO_LONG in codes:
            nested = body.get("targets") if isinstance(body, dict) else None
            items = body if isinstance(body, list) else [body, *(nested if isinstance(nested, list) else [])]
            if any(
                isinstance(i, dict) and isinstance(i.get("name"), str) and len(i["name"]) > 200 for i in items
            ):
                raise Reply(NAME_TOO_LONG)

    def _enrollment_types(self, op: Operation) -> tuple[Any, ...]:
        """The allowed values of the operation's ``enrollmentType`` query parameter, from the spec."""
        for param in op.parameters():
            if param["name"] == "enrollmentType":
                return tuple(self.spec.deref(param["schema"]).get("enum", ()))
        return ()

    def _name_types(self, op: Operation) -> tuple[Any, ...]:
        """The allowed ``type`` values of the operation's request body (check-validity-of-milestone-name)."""
        schema = self.spec.deref(op.request_schema() or {})
        return tuple(self.spec.deref(schema.get("properties", {}).get("type", {})).get("enum", ()))

    def example(self, op: Operation) -> Any:
        media = op.response_media(200).get("application/json", {})
        for example in media.get("examples", {}).values():
            return self.spec.deref(example)["value"]["data"]
        raise Reply(INVALID_INPUT, "the mock has no behaviour for this operation")


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
    app = Starlette(routes=[Route("/{path:path}", mock.handle, methods=METHODS)])
    app.state.store = store
    app.state.violations = mock.selfcheck.violations if mock.selfcheck else []
    return Guard(app, spec, auth, max_body=DEFAULT_MAX_BODY if max_body is None else max_body)


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
