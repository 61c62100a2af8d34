"""Loopback servers for runner tests: the real mock, a recording wrapper, deliberately broken variants."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from contracts.mock import create_app
from contracts.spec import load_spec

Message = dict[str, Any]
Mutation = Callable[[str, int, dict[str, str], Any], tuple[int, dict[str, str], Any]]


class Recording:
    """Records the method and path of every request, then passes it on."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[tuple[str, str]] = []

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.seen.append((scope["method"], scope["path"]))
        await self.app(scope, receive, send)


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


def mock(credentials: tuple[str, str] = ("runner", "pw")) -> Any:
    return create_app(load_spec(), credentials=credentials)
