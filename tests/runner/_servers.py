"""Loopback servers for runner tests: the real mock, a recording wrapper, deliberately broken variants."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from contracts.mock import create_app
from contracts.spec import Spec, load_spec

Message = dict[str, Any]
Mutation = Callable[[str, int, dict[str, str], Any], tuple[int, dict[str, str], Any]]


class Recording:
    """Records the method, path and body of every request, then passes it on."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[tuple[str, str]] = []
        self.exchanges: list[tuple[str, str, bytes, int]] = []
        """(method, path, request body, response status) of every request."""

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.seen.append((scope["method"], scope["path"]))
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False
        status = 0

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, replay, watch)
        self.exchanges.append((scope["method"], scope["path"], body, status))


class Broken:
    """Rewrites replies of the real mock: ``mutate(path, status, headers, body) -> (status, headers, body)``."""

    def __init__(self, app: Any, mutate: Mutation) -> None:
        self.app, self.mutate = app, mutate

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
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


class Unavailable:
    """Answers 503 with ``Retry-After: 0`` to the first ``times`` requests of a path, then passes on."""

    def __init__(self, app: Any, path: str, times: int) -> None:
        self.app, self.path, self.left = app, path, times

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == self.path and self.left > 0:
            self.left -= 1
            await send({"type": "http.response.start", "status": 503, "headers": [(b"retry-after", b"0")]})
            await send({"type": "http.response.body", "body": b"busy"})
            return
        await self.app(scope, receive, send)


def mock(credentials: tuple[str, str] | None = ("runner", "pw"), spec: Spec | None = None) -> Any:
    return create_app(spec or load_spec(), credentials=credentials)


FAULTS = ("reset", "truncate", "hang", "503", "429")
"""What :class:`Faulty` does once its good answers are used up."""


class Faulty:
    """A real HTTP/1.1 server on loopback in front of the mock: the first ``good`` requests are
    forwarded and answered normally, every later one gets ``fault``:

    - ``reset``: the connection is reset (RST) before any byte of an answer;
    - ``truncate``: a 200 whose body stops halfway through its Content-Length, then the socket closes;
    - ``hang``: nothing is ever answered (until the server stops);
    - ``503`` / ``429``: that status with ``Retry-After: <retry_after>``, forever.

    ``faulted`` holds the monotonic time of each faulty answer, to check how ``Retry-After`` was honoured.
    """

    def __init__(self, upstream: str, fault: str, good: int, retry_after: str = "1") -> None:
        import http.server
        import socket
        import struct
        import threading
        import time

        import httpx

        assert fault in FAULTS, fault
        self.upstream, self.fault, self.good, self.retry_after = upstream, fault, good, retry_after
        self.answered = 0
        self.faulted: list[float] = []
        self.requests: list[str] = []
        """``METHOD path`` of every request, in order."""
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._client = httpx.Client(base_url=upstream, timeout=10)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def finish(self) -> None:
                with contextlib.suppress(OSError):
                    super().finish()

            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                with outer._lock:
                    outer.requests.append(f"{self.command} {self.path}")
                    good = outer.answered < outer.good
                    if good:
                        outer.answered += 1
                    else:
                        outer.faulted.append(time.monotonic())
                if good:
                    self._forward(body)
                else:
                    self._fail()

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_TRACE = _any

            def _forward(self, body: bytes) -> None:
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
                }
                try:
                    answer = outer._client.request(self.command, self.path, headers=headers, content=body)
                except (httpx.HTTPError, ValueError, UnicodeError):  # a probe httpx will not forward
                    answer = httpx.Response(
                        400, json={"data": None, "errors": [{"code": 300004, "message": "bad"}]}
                    )
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in (
                        "content-length",
                        "transfer-encoding",
                        "connection",
                        "date",
                        "server",
                    ):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer.content)

            def _fail(self) -> None:
                if outer.fault == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.rfile.close()
                    self.wfile.close()
                    self.connection.close()  # linger 0: an RST, not a FIN
                    self.close_connection = True
                elif outer.fault == "truncate":
                    payload = (
                        b'{"data": [' + b'{"id": 1, "name": "x"}, ' * 200 + b'{"id": 2}], "errors": null}'
                    )
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                elif outer.fault == "hang":
                    outer.stop.wait(60)
                    self.close_connection = True
                else:
                    payload = b"busy"
                    self.send_response(int(outer.fault))
                    self.send_header("Retry-After", outer.retry_after)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                return None  # a reset or hung connection is the point

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})

    def __enter__(self) -> Faulty:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)
        self._client.close()
