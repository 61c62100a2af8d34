"""``contracts replay``: re-send the requests of a recorded HAR to a server and judge the answers.

The etiquette is ``contracts run``'s, reused: :class:`~contracts.runner.safety.Safety` guards every
request (read-only unless writes are allowed), :class:`~contracts.runner.throttle.Throttle` paces
it (2 req/s off loopback unless told) and honours ``Retry-After``; credentials come from the same
environment variables, since a committed HAR holds none.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

import httpx

from contracts import checks
from contracts.errors import ExitCode, UsageError
from contracts.exchange import Exchange
from contracts.findings import Finding
from contracts.har import is_har, read_streamed
from contracts.proxy.answer import HOP_BY_HOP
from contracts.proxy.har import CREDENTIAL_HEADERS
from contracts.proxy.server import Outcome, write_reports
from contracts.report.coverage import Coverage, Observation
from contracts.report.curl import curl
from contracts.report.redact import MASK
from contracts.runner.auth import Credentials
from contracts.runner.plan import DEFAULT_REMOTE_RATE
from contracts.runner.safety import Safety, WriteBlocked, check_base_url, is_loopback
from contracts.runner.throttle import RETRY_STATUSES, Incident, Throttle, default_rate
from contracts.spec import READ_METHODS, Spec


@dataclass(frozen=True)
class ReplaySettings:
    """``[tool.contracts.replay]``; credentials only by environment variable name, as for ``run``."""

    base_url: str | None = None
    allow_writes: bool = False
    rate_limit: float | None = None
    timeout: float = 10.0
    report: str | None = None
    basic_user_env: str = "CONTRACTS_BASIC_USER"
    basic_password_env: str = "CONTRACTS_BASIC_PASSWORD"
    bearer_token_env: str = "CONTRACTS_BEARER_TOKEN"


def load_har(path: Path) -> list[dict[str, Any]]:
    """The entries of a HAR file, a streamed one cut short included; UsageError for anything else."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read ({exc.__class__.__name__})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        streamed = read_streamed(text)
        if streamed is None:
            raise UsageError(f"{path}:{exc.lineno}:{exc.colno}: malformed JSON ({exc.msg})") from None
        document = streamed[0]
    if not is_har(document) or not isinstance(document["log"]["entries"], list):
        raise UsageError(f"{path}: not a HAR file (no log.entries array)")
    return [e for e in document["log"]["entries"] if isinstance(e, dict)]


def _request(entry: dict[str, Any]) -> tuple[str, str, list[tuple[str, str]], bytes]:
    request = entry.get("request")
    if not isinstance(request, dict) or "method" not in request or "url" not in request:
        raise ValueError("lacks request.method or request.url")
    headers = [
        (str(h["name"]), str(h["value"]))
        for h in request.get("headers") or []
        if isinstance(h, dict) and "name" in h and "value" in h
    ]
    post = request.get("postData")
    post = post if isinstance(post, dict) else {}
    text = str(post.get("text") or "")
    try:
        body = base64.b64decode(text, validate=True) if post.get("encoding") == "base64" else text.encode()
    except (binascii.Error, ValueError):
        raise ValueError("has a body marked base64 that is not base64") from None
    return str(request["method"]).upper(), str(request["url"]), headers, body


@dataclass
class _Step:
    """What replaying one entry came to, merged by the main process in input order."""

    kind: str
    """``unreadable``, ``unmatched``, ``skipped``, ``failed``, ``unjudged`` (a retry status the
    operation does not document) or ``judged``."""
    incidents: list[Incident]
    seen: Observation | None = None
    """What the judged answer adds to the coverage, worked out where it was judged (a worker sends
    this, not the exchange and its body)."""
    findings: list[Finding] = dataclasses.field(default_factory=list)


class _Replayer:
    """Sends entries and judges the answers; one per process (its client and throttle are its own)."""

    def __init__(self, spec: Spec, base_url: str, settings: ReplaySettings, creds: Credentials) -> None:
        self.spec, self.base_url, self.settings, self.creds = spec, base_url, settings, creds
        self.loopback = is_loopback(base_url)
        self.safety = Safety(settings.allow_writes, prefix=f"contracts-{uuid.uuid4().hex[:8]}-")
        self.selected = checks.select()
        self.coverage = Coverage(spec)
        """The run's coverage, recorded by the main process; a worker only works out observations."""
        self._pid = -1
        self._client: httpx.Client | None = None
        self.throttle = Throttle(default_rate(settings.rate_limit, self.loopback, DEFAULT_REMOTE_RATE))

    def client(self) -> httpx.Client:
        if self._client is None or self._pid != os.getpid():  # a forked worker opens its own
            self._client = httpx.Client(
                timeout=self.settings.timeout, trust_env=False, follow_redirects=False
            )
            self._pid = os.getpid()
        return self._client

    def close(self) -> None:
        if self._client is not None and self._pid == os.getpid():
            self._client.close()

    def step(self, index: int, item: dict[str, Any]) -> _Step:
        before = len(self.throttle.incidents)

        def done(kind: str, *extra: Incident, **rest: Any) -> _Step:
            return _Step(kind, [*self.throttle.incidents[before:], *extra], **rest)

        try:
            method, recorded, headers, body = _request(item)
        except ValueError as exc:
            return done("unreadable", Incident("unreadable", f"HAR entry {index} {exc}"))
        parts = urlsplit(recorded)
        match = self.spec.match(method, parts.path or "/")
        if match is None:
            message = f"HAR entry {index}: {method} {parts.path} matches no operation"
            return done("unmatched", Incident("unmatched", message))
        op = match[0]
        url = self.base_url + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            self.safety.guard(method, url)
        except WriteBlocked:
            return done("skipped")
        sent = {
            k: v
            for k, v in headers
            if k.lower() not in HOP_BY_HOP and k.lower() not in CREDENTIAL_HEADERS and MASK not in v
        }
        sent.update(self.creds.headers())
        try:
            response = self.throttle.call(
                f"{method} {op.path}",
                functools.partial(self.client().request, method, url, headers=sent, content=body or None),
                idempotent=method in READ_METHODS,
            )
        except httpx.HTTPError as exc:
            message = f"{method} {op.path}: {exc.__class__.__name__}"
            return done("failed", Incident("transport", message, op.operation_id))
        if response.status_code in RETRY_STATUSES and op.response_key(response.status_code) is None:
            return done("unjudged")
        exchange = Exchange(
            operation=op.operation_id,
            status=response.status_code,
            body=response.content,
            headers=dict(response.headers.items()),
            method=method,
            url=url,
            request_headers=sent,
            request_body=body or None,
        )
        line = curl(method, url, sent, body or None)
        findings = []
        for finding in checks.iter_findings(self.spec, exchange, self.selected):
            if finding.status is None:
                finding = dataclasses.replace(finding, status=response.status_code)
            finding.extra.setdefault("curl", line)
            finding.extra.setdefault("har_entry", index)
            findings.append(finding)
        return done("judged", seen=self.coverage.observation(exchange), findings=findings)


_REPLAYER: _Replayer | None = None
"""The replayer forked workers inherit."""
CHUNK = 32
"""Entries per task sent to a worker process."""


def _replay_chunk(chunk: list[tuple[int, dict[str, Any]]]) -> list[_Step]:
    assert _REPLAYER is not None
    return [_REPLAYER.step(index, item) for index, item in chunk]


def parallel_jobs(jobs: int, base_url: str, allow_writes: bool) -> int:
    """The worker processes replay may use: ``jobs`` on loopback and read-only, else 1.

    Off loopback the rate limit (2 req/s unless told) is the pace, and one process keeps it exactly;
    with writes allowed the recorded order of side effects (a create before its update) must hold.
    """
    return jobs if is_loopback(base_url) and not allow_writes else 1


def _steps(replayer: _Replayer, entries: Iterator[tuple[int, dict[str, Any]]], jobs: int) -> Iterator[_Step]:
    """Each entry's step, in input order; with ``jobs`` > 1 over forked workers, at most 2 * jobs
    chunks in flight."""
    global _REPLAYER
    if jobs <= 1:
        for index, item in entries:
            yield replayer.step(index, item)
        return
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    _REPLAYER = replayer
    pending: deque[Future[list[_Step]]] = deque()
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            batch: list[tuple[int, dict[str, Any]]] = []
            for pair in entries:
                batch.append(pair)
                if len(batch) >= CHUNK:
                    pending.append(pool.submit(_replay_chunk, batch))
                    batch = []
                    while len(pending) > 2 * jobs:
                        yield from pending.popleft().result()
            if batch:
                pending.append(pool.submit(_replay_chunk, batch))
            while pending:
                yield from pending.popleft().result()
    finally:
        _REPLAYER = None


def _har_entries(path: Path, counted: list[int]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, entry) of each object entry of the HAR at ``path``, streamed; ``counted[0]`` counts them."""
    from contracts.har_stream import BLOCK, EntryStream, looks_like_har

    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.__class__.__name__})") from None
    with handle:
        head = handle.read(BLOCK)
        if not looks_like_har(head):
            for entry in load_har(path):  # not HAR-shaped at the start: read whole, refused as before
                counted.append(1)
                yield len(counted) - 1, entry
            return
        for entry in EntryStream(handle, str(path), ndjson=False, head=head):
            if isinstance(entry, dict):
                counted.append(1)
                yield len(counted) - 1, entry


def replay(spec: Spec, path: Path, settings: ReplaySettings, out: TextIO, *, jobs: int = 1) -> Outcome:
    """Re-send the HAR's requests and judge the answers; ``jobs`` worker processes on loopback and
    read-only (see :func:`parallel_jobs`), the report the same as with one."""
    base_url = check_base_url(settings.base_url or "")
    creds = Credentials.from_env(
        user=None,
        user_env=settings.basic_user_env,
        password_env=settings.basic_password_env,
        token_env=settings.bearer_token_env,
    )
    redactor = creds.redactor(settings.basic_password_env, settings.bearer_token_env)
    replayer = _Replayer(spec, base_url, settings, creds)
    throttle = Throttle(0)  # the merged record of every process's incidents, in input order
    coverage = replayer.coverage
    selected = replayer.selected
    found: dict[tuple[Any, ...], Finding] = {}
    counts = {"sent": 0, "judged": 0, "skipped": 0, "unmatched": 0, "failed": 0}
    started = time.monotonic()
    counted: list[int] = []
    workers = parallel_jobs(jobs, base_url, settings.allow_writes)
    try:
        for step in _steps(replayer, _har_entries(path, counted), workers):
            for incident in step.incidents:
                throttle.note(incident)
            if step.kind in ("unmatched", "skipped", "failed"):
                counts[step.kind] += 1
            if step.kind in ("failed", "unjudged", "judged"):
                counts["sent"] += 1
            if step.kind != "judged" or step.seen is None:
                continue
            counts["judged"] += 1
            coverage.record(step.seen)
            for finding in step.findings:
                found.setdefault(finding.key, finding)
    finally:
        replayer.close()
    entries = counted
    findings = [redactor.finding(f) for f in found.values()]
    if findings:
        code, reason = ExitCode.FINDINGS, ""
    elif counts["judged"] == 0:
        code = ExitCode.ERROR
        reason = (
            "every request failed at the transport"
            if counts["failed"]
            else "nothing was judged: no entry was sent (writes need --allow-writes) or matched the spec"
        )
    else:
        code, reason = ExitCode.OK, ""
    incidents = [dataclasses.replace(i, message=redactor.text(i.message)) for i in throttle.incidents]
    if counts["skipped"]:
        incidents.append(Incident("skipped", f"{counts['skipped']} write(s) not sent (use --allow-writes)"))
    summary: dict[str, Any] = {
        "verdict": {0: "conformant", 1: "violations", 2: "could not test"}[int(code)],
        "exit_code": int(code),
        "reason": reason,
        "violations": len(findings),
        "responses": counts["judged"],
        **{f"entries_{k}": v for k, v in counts.items()},
        "operations_tested": len(coverage.responses),
        "operations": sorted(coverage.responses),
        "operations_planned": len(spec.operations),
        "duration_seconds": round(time.monotonic() - started, 1),
        "infrastructure": [i.to_dict() for i in incidents],
        "cleaned_up": [],
    }
    if settings.report:
        meta = {
            "mode": "replay",
            "har": str(path),
            "base_url": redactor.text(base_url),
            "allow_writes": settings.allow_writes,
            "auth": creds.scheme,
            "phases": ["replay"],
            "max_examples": None,
            "seed": None,
            "checks": [c.name for c in selected],
            "operations_planned": [op.operation_id for op in spec.operations],
            "operations_skipped": [],
        }
        write_reports(Path(settings.report), coverage, meta, findings, summary)
    for f in findings:
        out.write(f"✗ {f.operation} {f.status or '-'} {f.check} {f.pointer or '/'}: {f.message}\n")
        if f.extra.get("curl"):
            out.write(f"    {f.extra['curl']}\n")
    for incident in incidents[:20]:
        out.write(f"! {incident.kind}: {incident.message}\n")
    out.write(
        f"{summary['verdict']}: {len(findings)} violation(s) in {counts['judged']} response(s) from "
        f"{len(entries)} HAR entr{'y' if len(entries) == 1 else 'ies'} "
        f"({counts['skipped']} write(s) skipped, {counts['unmatched']} unmatched, {counts['failed']} failed)\n"
    )
    if reason:
        out.write(f"reason: {reason}\n")
    return Outcome(code, summary, findings)
