"""Loopback servers for the proxy tests: the real mock, broken and recording variants, and a proxy.

Every server runs under uvicorn on a free loopback port in a thread, with lifespan on, so the
proxy's pooled client is closed when the server stops.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from contracts.mock import create_app, free_port
from contracts.proxy import ProxySettings
from contracts.proxy.server import Outcome, Proxy, build
from contracts.report.redact import Redactor
from contracts.spec import Spec

Message = dict[str, Any]
Mutation = Callable[[str, int, dict[str, str], Any], tuple[int, dict[str, str], Any]]
AUTH = {"Authorization": "Basic " + base64.b64encode(b"app:app-password").decode()}


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"server did not start on port {port}")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Broken:
    """Rewrites the real mock's replies: ``mutate(path, status, headers, body) -> (status, headers, body)``."""

    def __init__(self, app: Any, mutate: Mutation) -> None:
        self.app, self.mutate = app, mutate
        self.requests: list[tuple[str, str, dict[str, str]]] = []

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.requests.append((scope["method"], scope["path"], request_headers))
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        headers = {k.decode(): v.decode() for k, v in start["headers"] if k.lower() != b"content-length"}
        raw = b"".join(chunks)
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode()
        headers["x-break"] = request_headers.get("x-break", "")
        status, headers, body = self.mutate(scope["path"], start["status"], headers, body)
        payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        headers["content-length"] = str(len(payload))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": payload})


class Fixed:
    """Answers every request with the same status, headers and body (and counts them)."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body
        self.seen = 0

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        self.seen += 1
        headers = [(k.encode(), v.encode()) for k, v in self.headers.items()]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": self.body})


def mock(spec: Spec | None = None) -> Any:
    from contracts.spec import load_spec

    return create_app(spec or load_spec())


@dataclass
class Running:
    url: str
    proxy: Proxy
    output: io.StringIO
    outcome: Outcome | None = field(default=None)


@contextlib.contextmanager
def proxied(
    spec: Spec, upstream: str, redactor: Redactor | None = None, **settings: Any
) -> Iterator[Running]:
    """The proxy in front of ``upstream``; on exit it is stopped and ``finish`` gives the outcome."""
    output = io.StringIO()
    proxy = build(
        spec, ProxySettings(upstream=upstream, **settings), redactor or Redactor().with_environment(), output
    )
    with serve(proxy.app) as url:
        running = Running(url, proxy, output)
        yield running
    running.outcome = proxy.finish()
