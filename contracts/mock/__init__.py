"""The stateful mock of the API, built from the spec alone: ``create_app(spec)`` → an ASGI app.

Every operation of the spec is routed through ``spec.match`` (so routing cannot drift from the
spec), requests are validated against the spec's schemas, errors are envelopes with catalogued
codes only, and ``strict=True`` runs every reply through the check registry.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contracts.mock import handlers, seed
from contracts.mock.replies import Reply, error, ok
from contracts.mock.requests import ABSENT, Invalid, RequestValidator
from contracts.mock.selfcheck import SelfCheck
from contracts.mock.store import Store, StoreFull
from contracts.spec import Operation, Spec

log = logging.getLogger(__name__)
INVALID_INPUT, INVALID_USER, NAME_TOO_LONG, INVALID_ENROLLMENT = 300004, 310011, 310008, 310130
INVALID_KEY = 310145
UNAUTHORIZED = 401
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
__all__ = ["create_app", "serve_in_thread"]


class MockApp:
    """Dispatch: auth → operation → pre-checks with specific codes → validation → handler."""

    def __init__(self, spec: Spec, store: Store, credentials: tuple[str, str] | None, strict: bool) -> None:
        self.spec, self.store, self.credentials = spec, store, credentials
        self.validators = {op.operation_id: RequestValidator(spec, op) for op in spec.operations}
        self.selfcheck = SelfCheck(spec) if strict else None
        self._auth_cache: dict[str, bool] = {}
        missing = [op.operation_id for op in spec.operations if op.operation_id not in handlers.HANDLERS]
        if missing:
            log.warning("no mock behaviour for %s: they answer their first example", ", ".join(missing))

    def authorized(self, header: str | None) -> bool:
        """Whether the Authorization header is accepted (decisions cached per header value)."""
        if not header:
            return False
        known = self._auth_cache.get(header)
        if known is None:
            known = self._authorized(header)
            if len(self._auth_cache) < 1024:
                self._auth_cache[header] = known
        return known

    def _authorized(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return bool(value.strip()) and self.credentials is None
        if scheme.lower() != "basic":
            return False
        try:
            user, sep, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return bool(sep) and (self.credentials is None or (user, password) == self.credentials)

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
        op, path_params = found
        if not self.authorized(request.headers.get("authorization")):
            return error(self.spec, op, UNAUTHORIZED)
        raw_body = await request.body()
        response = self.respond(op, path_params, request, raw_body)
        if self.selfcheck is not None:
            response = self.selfcheck.verify(op, request, response)
        return response

    def respond(self, op: Operation, path: dict[str, str], request: Request, raw_body: bytes) -> Response:
        validator = self.validators[op.operation_id]
        try:
            body = validator.parse_body(raw_body)
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
    strict: bool = False,
    max_entities: int = 10_000,
) -> Starlette:
    """The mock as an ASGI app; ``app.state.store`` is its state, ``app.state.violations`` strict findings."""
    store = Store(max_entities=max_entities)
    if not empty:
        seed.load(spec, store)
    mock = MockApp(spec, store, credentials, strict)
    app = Starlette(routes=[Route("/{path:path}", mock.handle, methods=METHODS)])
    app.state.store = store
    app.state.violations = mock.selfcheck.violations if mock.selfcheck else []
    return app


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a loopback port in a thread; yields the base URL."""
    import uvicorn

    port = port or free_port(host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the mock did not start on {host}:{port}")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
