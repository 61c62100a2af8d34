"""Loopback servers for runner tests: the real mock, a recording wrapper, deliberately broken variants."""

from __future__ import annotations

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
