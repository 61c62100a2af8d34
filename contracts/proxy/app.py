"""The proxy as an ASGI app: forward over pooled keep-alive connections, judge both sides, answer.

Per request: read the body (buffered up to ``max_body``, streamed beyond), refuse writes under
``--read-only``, judge the request against the operation, forward, read the answer (same bound),
fall back to the embedded mock when the upstream is unreachable or answers 501, run the check
registry over the answer (an answer judged before gets its remembered verdict, see
:mod:`contracts.proxy.verdicts`), and send it on with a ``Contracts-Violations`` header (or a 502
under ``--strict``). Where the verdict cannot change the answer (``--no-header`` without
``--strict``) the answer goes out first and is judged and recorded right after. Everything the
proxy itself answers is an envelope with a catalogued code.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import httpx

from contracts import checks
from contracts.exchange import Exchange
from contracts.findings import Finding
from contracts.proxy import ProxySettings
from contracts.proxy.answer import HOP_BY_HOP, Answer, decoded, envelope
from contracts.proxy.answer import example as make_example
from contracts.proxy.har import HarRecorder, Masker, entry
from contracts.proxy.ledger import Ledger, now_iso
from contracts.proxy.upstream import CannotConnect, Pool, Response, TimedOut, UpstreamError
from contracts.proxy.verdicts import Verdicts, counters, raised
from contracts.request_validation import iter_request_findings
from contracts.runner.throttle import RETRY_STATUSES
from contracts.spec import READ_METHODS, Operation, Spec

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

DROPPED = HOP_BY_HOP | {"expect"}
"""Not forwarded: hop-by-hop and framing headers (the pool writes its own) and ``Expect`` (the body
is read before forwarding, so a 100 Continue from the upstream would only be in the way)."""
VIOLATIONS_HEADER = "contracts-violations"
MOCKED_HEADER = "contracts-mocked"


class ProxyApp:
    def __init__(
        self,
        spec: Spec,
        settings: ProxySettings,
        upstream: str,
        ledger: Ledger,
        masker: Masker,
        recorder: HarRecorder | None = None,
        after: Callable[[], None] | None = None,
    ) -> None:
        self.spec, self.settings, self.upstream = spec, settings, upstream.rstrip("/")
        self.ledger, self.masker, self.recorder, self.after = ledger, masker, recorder, after
        self.checks = checks.select()
        self.verdicts = Verdicts(spec, self.checks, settings.verdict_cache)
        self.pool: Pool | None = None
        self.mock: httpx.AsyncClient | None = None

    # -- ASGI ------------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def aclose(self) -> None:
        if self.pool is not None:
            await self.pool.aclose()
        if self.mock is not None:
            await self.mock.aclose()
        self.pool = self.mock = None

    def _pool(self) -> Pool:
        if self.pool is None:
            timeout = self.settings.timeout
            self.pool = Pool(self.upstream, timeout=timeout, connect_timeout=min(timeout, 5.0))
        return self.pool

    def _mock(self) -> httpx.AsyncClient:
        if self.mock is None:
            from contracts.mock import create_app

            transport = httpx.ASGITransport(app=create_app(self.spec))
            self.mock = httpx.AsyncClient(transport=transport, base_url="http://mock")
        return self.mock

    # -- one exchange ----------------------------------------------------------------------------
    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started, clock = now_iso(), time.perf_counter()
        method: str = scope["method"]
        path: str = scope["path"]
        raw_query: bytes = scope.get("query_string", b"")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        target = (scope.get("raw_path") or path.encode()).decode("latin-1")
        target += "?" + raw_query.decode("latin-1") if raw_query else ""
        url = self.upstream + target
        body, rest = await self._read(receive)
        found = self.spec.match(method, path)
        ledger = self.ledger
        ledger.exchanges += 1
        findings: list[Finding] = []
        if found is None:
            ledger.miss(method, path)
        else:
            op, params = found
            ledger.operations.add(op.operation_id)
            findings += iter_request_findings(
                self.spec,
                op,
                path_params=params,
                query=parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True) if raw_query else [],
                headers=dict(headers),
                body=body,
                judge_body=rest is None,
            )
        answer: Answer | None
        if self.settings.read_only and method.upper() not in READ_METHODS:
            ledger.refused += 1
            answer = self._own(403, f"{method} refused: the proxy runs --read-only")
        else:
            answer = await self._forward(method, target, headers, body, rest, send)
            if answer is None:  # streamed through unjudged (too large to buffer)
                self._done()
                return
        settings = self.settings
        if not settings.header and not settings.strict:  # the verdict cannot change the answer
            await self._answer(send, answer, findings)
        if found is not None and answer.source == "upstream":
            findings += self._judge(found[0], method, url, headers, body, answer)
        names = sorted({f.check for f in findings})
        if findings:
            ledger.violating += 1
            example = make_example(self.masker, method, url, headers, body, answer)
            for finding in findings:
                ledger.violation(finding, example)
        if self.recorder is not None:  # before the answer (unless sent above): a seen exchange is on disk
            item = entry(
                self.masker,
                started=started,
                elapsed_ms=(time.perf_counter() - clock) * 1000,
                method=method,
                url=url,
                request_headers=headers,
                request_body=body,
                status=answer.status,
                response_headers=answer.headers,
                response_body=answer.body,
                extra={
                    "operation": found[0].operation_id if found else None,
                    "source": answer.source,
                    "violations": names,
                    **({"answered": 502} if findings and settings.strict else {}),
                },
            )
            try:
                await self.recorder.record(item)
            except OSError as exc:
                ledger.har_failures += 1
                ledger.incident(f"the HAR could not be written ({exc.strerror or exc})")
        if settings.header or settings.strict:
            if findings and settings.strict:
                answer = self._own(502, f"--strict: the exchange broke the contract ({', '.join(names)})")
            await self._answer(send, answer, findings, names)
        self._done()

    async def _answer(
        self, send: Send, answer: Answer, findings: list[Finding], names: list[str] | None = None
    ) -> None:
        out = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in answer.headers
            if k.lower() not in HOP_BY_HOP
        ]
        if self.settings.header:
            shown = f"{len(findings)}; {', '.join(names)}" if names else "0"
            out.append((VIOLATIONS_HEADER.encode(), shown.encode("latin-1")))
        if answer.source == "mock":
            out.append((MOCKED_HEADER.encode(), b"true"))
        out.append((b"content-length", str(len(answer.body)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": out})
        await send({"type": "http.response.body", "body": answer.body})

    def _done(self) -> None:
        if self.after is not None:
            self.after()

    def _own(self, status: int, detail: str) -> Answer:
        body = envelope(self.spec, status, detail)
        return Answer(status, [("content-type", "application/json")], body, source="proxy")

    async def _read(self, receive: Receive) -> tuple[bytes, AsyncIterator[bytes] | None]:
        """The request body up to ``max_body``; beyond it, the first part and an iterator of the rest."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), None
            if size > self.settings.max_body:
                break

        async def remainder() -> AsyncIterator[bytes]:
            for chunk in chunks:
                yield chunk
            while True:
                message = await receive()
                yield message.get("body", b"")
                if not message.get("more_body", False):
                    return

        return b"".join(chunks), remainder()

    async def _forward(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes,
        rest: AsyncIterator[bytes] | None,
        send: Send,
    ) -> Answer | None:
        if any(c in target for c in " \r\n\x00") or not target.startswith("/"):
            return self._own(400, "the request cannot be forwarded: its target is not a URL path")
        sent = [(k, v) for k, v in headers if k.lower() not in DROPPED]
        try:
            response = await self._pool().send(method, target, sent, rest if rest is not None else body)
        except CannotConnect as exc:
            self.ledger.upstream_failures += 1
            self.ledger.incident(f"cannot reach the upstream: {exc}")
            if self.settings.fallback == "mock" and rest is None:
                return await self._from_mock(method, target, headers, body)
            return self._own(502, f"the upstream cannot be reached: {exc}")
        except TimedOut as exc:
            self.ledger.upstream_failures += 1
            self.ledger.incident(f"the upstream timed out: {exc}")
            return self._own(504, f"the upstream did not answer in time: {exc}")
        except UpstreamError as exc:
            self.ledger.upstream_failures += 1
            self.ledger.incident(f"upstream transport error: {exc}")
            return self._own(502, f"upstream transport error: {exc}")
        self.ledger.upstream_answers += 1
        if response.status == 501 and self.settings.fallback == "mock" and rest is None:
            await response.aclose()
            self.ledger.incident("the upstream answered 501: answered by the mock")
            return await self._from_mock(method, target, headers, body)
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.iter_raw():
                chunks.append(chunk)
                size += len(chunk)
                if size > self.settings.max_body:
                    await self._stream(response, chunks, send)
                    return None
        except UpstreamError as exc:
            self.ledger.upstream_failures += 1
            self.ledger.incident(f"the upstream broke off its answer: {exc}")
            return self._own(502, f"the upstream broke off its answer: {exc}")
        finally:
            await response.aclose()
        return Answer(response.status, response.headers, b"".join(chunks), source="upstream")

    async def _stream(self, response: Response, head: list[bytes], send: Send) -> None:
        """Pass a body too large to judge straight through (bounded memory), and say so."""
        self.ledger.incident(f"an answer over {self.settings.max_body} bytes was streamed through unjudged")
        out = [
            (k, v)
            for k, v in response.headers
            if k.lower() not in HOP_BY_HOP or k.lower() == "content-length"
        ]
        if self.settings.header:
            out.append((VIOLATIONS_HEADER, "unjudged; body too large"))
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in out],
            }
        )
        for chunk in head:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        async for chunk in response.iter_raw():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def _from_mock(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> Answer:
        self.ledger.mocked += 1
        sent = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]
        response = await self._mock().request(method, target, headers=sent, content=body)
        pairs = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
        return Answer(response.status_code, pairs, response.content, source="mock")

    def _judge(
        self,
        op: Operation,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        body: bytes,
        answer: Answer,
    ) -> list[Finding]:
        if answer.status in RETRY_STATUSES and op.response_key(answer.status) is None:
            self.ledger.incident(f"{method} {op.path}: upstream answered {answer.status} (not now)")
            return []
        coverage = self.ledger.coverage
        key = self.verdicts.key(op, answer.status, answer.headers, answer.body)
        remembered = self.verdicts.get(key, coverage)
        if remembered is not None:
            self.ledger.judged += 1
            return list(remembered.findings)
        plain = decoded(answer.body, answer.header("content-encoding"))
        if plain is None:
            self.ledger.incident(
                f"an answer in {answer.header('content-encoding')!r} encoding was not judged"
            )
            return []
        response_headers: dict[str, str | list[str]] = {}
        for k, v in answer.headers:
            previous = response_headers.get(k)
            response_headers[k] = (
                v if previous is None else [*([previous] if isinstance(previous, str) else previous), v]
            )
        exchange = Exchange(
            operation=op.operation_id,
            status=answer.status,
            body=plain,
            headers=response_headers,
            method=method,
            url=url,
            request_headers=dict(headers),
            request_body=body or None,
        )
        found = []
        before = counters(coverage) if key is not None else {}
        try:
            coverage.observe(exchange)
            for finding in checks.iter_findings(self.spec, exchange, self.checks):
                if finding.status is None:
                    finding = dataclasses.replace(finding, status=answer.status)
                finding.extra.setdefault("side", "response")
                found.append(finding)
        except RecursionError:
            self.ledger.incident(f"{method} {op.path}: an answer nested too deeply to judge")
            return []
        self.ledger.judged += 1
        self.verdicts.put(key, found, raised(before, coverage))
        return found
