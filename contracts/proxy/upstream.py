"""The proxy's client for its one upstream: pooled keep-alive HTTP/1.1 connections, TCP_NODELAY.

httpx spent about a millisecond of Python per request (its pool, anyio streams, h11), more than the
rest of the proxy's hot path together. The proxy talks to one origin and relays bytes as they are,
so this is the short path: asyncio protocols parsed by httptools (uvicorn's own parser), idle
connections kept (LIFO, capped), a bounded number in flight, the request head and a buffered body
written in one send. Bodies are relayed raw (no content decoding); the request body may be streamed
(chunked). A reused connection the upstream closed while idle is retried once on a new one for an
idempotent request that has not been answered; nothing else is retried.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import socket
import ssl
from collections.abc import AsyncIterator
from typing import Final, cast
from urllib.parse import unquote, urlsplit

import httptools

MAX_IDLE: Final = 64
MAX_CONNECTIONS: Final = 256
READ_HIGH: Final = 1 << 20
"""Bytes of an answer buffered before reading from the upstream pauses (resumed once consumed)."""
RETRYABLE: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


class UpstreamError(Exception):
    """Talking to the upstream failed; the message is one short line for the proxy's envelope."""


class CannotConnect(UpstreamError):
    """No connection could be made (refused, unresolvable, TLS handshake failed)."""


class ConnectTimedOut(CannotConnect):
    """The connection was not made in time."""


class TimedOut(UpstreamError):
    """The upstream did not answer (or went quiet mid-answer) within the timeout."""


class BrokenOff(UpstreamError):
    """The upstream closed the connection early or answered something that is not HTTP/1.1."""


class _Connection(asyncio.Protocol):
    """One keep-alive connection; carries one exchange at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.reading_paused = False
        self.busy = False
        self._writable: asyncio.Future[None] | None = None
        self.reset()

    def reset(self) -> None:
        self.status = 0
        self.headers: list[tuple[str, str]] = []
        self.head: asyncio.Future[None] = self.loop.create_future()
        self.chunks: collections.deque[bytes] = collections.deque()
        self.buffered = 0
        self.complete = False
        self.keep_alive = True
        self.interim = False
        self.received = False
        self.error: UpstreamError | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.busy = True

    # -- asyncio.Protocol --------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        sock = transport.get_extra_info("socket")
        if sock is not None:  # asyncio sets it too; a missing one costs 40 ms an exchange (delayed ACK)
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        if not self.busy:  # bytes on an idle connection: nothing asked for them, so it cannot be reused
            self.close()
            return
        self.received = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self.fail(BrokenOff("the upstream switched protocols"))
        except httptools.HttpParserError as exc:
            self.fail(BrokenOff(f"the upstream's answer is not HTTP/1.1 ({str(exc)[:80]})"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.complete and self.error is None:
            if exc is None and self.head.done() and not self._framed():
                self.complete = True  # an answer delimited by the close of the connection
                self.wake()
            else:
                self.fail(BrokenOff("the upstream closed the connection"))
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def pause_writing(self) -> None:
        self._writable = self.loop.create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    # -- httptools callbacks -----------------------------------------------------------------------
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if status < 200:  # 100 Continue, 103 Early Hints: not the answer
            self.interim = True
            self.headers = []
            return
        self.status = status
        self.keep_alive = bool(self.parser.should_keep_alive())
        if not self.head.done():
            self.head.set_result(None)

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)
        self.buffered += len(body)
        if self.buffered > READ_HIGH and not self.reading_paused and self.transport is not None:
            self.reading_paused = True
            self.transport.pause_reading()
        self.wake()

    def on_message_complete(self) -> None:
        if self.interim:
            self.interim = False
            return
        self.complete = True
        self.wake()

    # -- helpers -----------------------------------------------------------------------------------
    def _framed(self) -> bool:
        return any(k.lower() in ("content-length", "transfer-encoding") for k, _ in self.headers)

    def wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def fail(self, error: UpstreamError) -> None:
        if self.error is None:
            self.error = error
        self.keep_alive = False
        if not self.head.done():
            self.head.set_result(None)
        self.wake()
        self.close()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    async def drain(self) -> None:
        if self._writable is not None:
            await self._writable
        if self.closed:
            raise BrokenOff("the upstream closed the connection")

    def taken(self, size: int) -> None:
        self.buffered -= size
        if self.reading_paused and self.buffered < READ_HIGH // 2 and self.transport is not None:
            self.reading_paused = False
            self.transport.resume_reading()


class Response:
    """An upstream answer whose head has arrived; the body is read with :meth:`iter_raw`."""

    def __init__(self, pool: Pool, conn: _Connection, method: str) -> None:
        self._pool, self._conn, self._method = pool, conn, method
        self.status: int = conn.status
        self.headers: list[tuple[str, str]] = conn.headers
        self._open = True
        if method == "HEAD":  # no body follows, whatever the headers say; the parser cannot know
            conn.complete = True
            conn.keep_alive = False

    async def iter_raw(self) -> AsyncIterator[bytes]:
        conn = self._conn
        while True:
            if conn.chunks:
                chunk = conn.chunks.popleft()
                conn.taken(len(chunk))
                yield chunk
                continue
            if conn.error is not None:
                raise conn.error
            if conn.complete:
                return
            conn.waiter = conn.loop.create_future()
            try:
                await asyncio.wait_for(conn.waiter, self._pool.timeout)
            except TimeoutError:
                conn.fail(TimedOut("the upstream went quiet mid-answer"))
                raise TimedOut("the upstream went quiet mid-answer") from None
            finally:
                conn.waiter = None

    async def aclose(self) -> None:
        if not self._open:
            return
        self._open = False
        self._pool.release(self._conn)


class Pool:
    """Keep-alive connections to ``base`` (http or https; a path prefix and userinfo are honoured)."""

    def __init__(self, base: str, *, timeout: float, connect_timeout: float) -> None:
        parts = urlsplit(base)
        self.tls = parts.scheme == "https"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.tls else 80)
        self.prefix = parts.path.rstrip("/")
        default = self.port == (443 if self.tls else 80)
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.host_header = shown if default else f"{shown}:{self.port}"
        self.authorization = None
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            self.authorization = "Basic " + base64.b64encode(pair.encode()).decode()
        self.timeout, self.connect_timeout = timeout, connect_timeout
        self._ssl: ssl.SSLContext | None = None
        self._idle: list[_Connection] = []
        self._slots: asyncio.Semaphore | None = None

    def _context(self) -> ssl.SSLContext:
        if self._ssl is None:
            import certifi

            self._ssl = ssl.create_default_context(cafile=certifi.where())
        return self._ssl

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            _, conn = await asyncio.wait_for(
                loop.create_connection(
                    lambda: _Connection(loop),
                    self.host,
                    self.port,
                    ssl=self._context() if self.tls else None,
                ),
                self.connect_timeout,
            )
        except TimeoutError:
            raise ConnectTimedOut("the connection was not made in time") from None
        except OSError as exc:  # refused, unresolvable, TLS (ssl.SSLError is an OSError)
            raise CannotConnect(exc.__class__.__name__) from None
        return conn

    def _head(self, method: str, target: str, headers: list[tuple[str, str]], length: int | None) -> bytes:
        lines = [f"{method} {self.prefix}{target} HTTP/1.1", f"host: {self.host_header}"]
        lines += [f"{k}: {v}" for k, v in headers]
        if self.authorization is not None:
            lines.append(f"authorization: {self.authorization}")
        if length is None:
            lines.append("transfer-encoding: chunked")
        elif length or method not in ("GET", "HEAD", "DELETE", "OPTIONS", "TRACE"):
            lines.append(f"content-length: {length}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def send(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes | AsyncIterator[bytes],
    ) -> Response:
        """Send the request; returns once the answer's head is in (its body is read from the result).

        ``headers`` must be free of hop-by-hop headers, ``host`` and framing (added here).
        """
        if self.authorization is not None:
            headers = [(k, v) for k, v in headers if k.lower() != "authorization"]
        if self._slots is None:
            self._slots = asyncio.Semaphore(MAX_CONNECTIONS)
        await self._slots.acquire()
        try:
            return await self._exchange(method, target, headers, body)
        except BaseException:
            self._slots.release()
            raise

    async def _exchange(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes | AsyncIterator[bytes]
    ) -> Response:
        streamed = not isinstance(body, bytes)
        head = self._head(method, target, headers, len(body) if isinstance(body, bytes) else None)
        for attempt in (0, 1):
            conn, reused = None, False
            while self._idle:
                candidate = self._idle.pop()
                if not candidate.closed:
                    conn, reused = candidate, True
                    break
            if conn is None:
                conn = await self._connect()
            conn.reset()
            assert conn.transport is not None
            try:
                if isinstance(body, bytes):
                    conn.transport.write(head + body if body else head)
                else:
                    conn.transport.write(head)
                    async for chunk in body:
                        if chunk:
                            conn.transport.write(b"%x\r\n%b\r\n" % (len(chunk), chunk))
                            await conn.drain()
                    conn.transport.write(b"0\r\n\r\n")
                await asyncio.wait_for(conn.head, self.timeout)
            except TimeoutError:
                conn.fail(TimedOut("no answer in time"))
                raise TimedOut("no answer in time") from None
            except BaseException:
                conn.close()
                raise
            if conn.error is not None:
                stale = reused and not conn.received and attempt == 0
                if stale and not streamed and method in RETRYABLE:
                    continue  # closed by the upstream while it sat idle: once more, on a new connection
                raise conn.error
            return Response(self, conn, method)
        raise BrokenOff("the upstream closed the connection")  # pragma: no cover - the loop returns

    def release(self, conn: _Connection) -> None:
        if self._slots is not None:
            self._slots.release()
        conn.busy = False
        reusable = conn.complete and conn.keep_alive and conn.error is None and not conn.closed
        if reusable and len(self._idle) < MAX_IDLE:
            self._idle.append(conn)
        else:
            conn.close()

    async def aclose(self) -> None:
        for conn in self._idle:
            conn.close()
        self._idle.clear()
