"""Run the proxy under uvicorn until SIGINT/SIGTERM, then write the reports and give the verdict.

uvicorn's own signal capture re-raises the signal after shutdown (which would kill the process
before the reports are written), so :class:`_Server` only sets ``should_exit``. The socket is
bound here, so a port in use is a one-line error rather than uvicorn's exit.
"""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import uvicorn

from contracts import checks
from contracts.errors import ConfigError, ExitCode
from contracts.findings import Finding
from contracts.proxy import ProxySettings
from contracts.proxy.app import ProxyApp
from contracts.proxy.har import HarRecorder, Masker
from contracts.proxy.ledger import Ledger
from contracts.report import FanOut, Reporter
from contracts.report.bundle import reporters
from contracts.report.coverage import Coverage
from contracts.report.redact import Redactor
from contracts.request_validation import REQUEST_CHECKS
from contracts.runner.safety import check_base_url, is_loopback
from contracts.spec import Spec


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handlers = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)

    def _stop(self, sig: int, frame: Any) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        self.should_exit = True


class Live:
    """The one-line summary on a terminal (redrawn at most 5 times a second); plain lines otherwise."""

    def __init__(self, ledger: Ledger, stream: TextIO) -> None:
        self.ledger, self.stream = ledger, stream
        self.tty = stream.isatty()
        self._drawn = 0.0

    def line(self, text: str) -> None:
        self.stream.write(("\r\x1b[K" if self.tty else "") + text + "\n")
        self.stream.flush()
        self._drawn = 0.0
        self.tick()

    def tick(self) -> None:
        if not self.tty:
            return
        now = time.monotonic()
        if now - self._drawn >= 0.2:
            self._drawn = now
            self.stream.write("\r\x1b[K" + self.ledger.status_line())
            self.stream.flush()


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


@dataclasses.dataclass
class Outcome:
    exit_code: ExitCode
    summary: dict[str, Any]
    findings: list[Finding]


@dataclasses.dataclass
class Proxy:
    """A proxy put together (app, ledger, recorder), to be served by :func:`serve` or a test's server."""

    spec: Spec
    settings: ProxySettings
    redactor: Redactor
    upstream: str
    masker: Masker
    ledger: Ledger
    live: Live
    recorder: HarRecorder | None
    app: ProxyApp

    def finish(self) -> Outcome:
        """Close the HAR, write the reports, print the summary; the verdict."""
        if self.recorder is not None:
            self.recorder.close()
        if self.live.tty:
            self.live.stream.write("\n")
        return finish(
            self.spec,
            self.settings,
            self.ledger,
            self.redactor,
            self.upstream,
            self.masker,
            self.live.stream,
            self.recorder,
        )


def build(spec: Spec, settings: ProxySettings, redactor: Redactor, stream: TextIO) -> Proxy:
    upstream = check_base_url(settings.upstream or "")
    masker = Masker(redactor, settings.redact_keys)
    ledger = Ledger(Coverage(spec))
    live = Live(ledger, stream)
    ledger.on_new = live.line
    recorder = HarRecorder(Path(settings.record)) if settings.record else None
    app = ProxyApp(spec, settings, upstream, ledger, masker, recorder, after=live.tick)
    return Proxy(spec, settings, redactor, upstream, masker, ledger, live, recorder, app)


def serve(spec: Spec, settings: ProxySettings, redactor: Redactor, *, out: TextIO | None = None) -> Outcome:
    """Serve until SIGINT/SIGTERM; returns the verdict after the reports are written."""
    stream = out or sys.stderr
    check_base_url(settings.upstream or "")
    if not is_loopback(f"http://{settings.host}"):
        stream.write(
            f"warning: listening on {settings.host}, not loopback: other machines can send traffic "
            "through this proxy with your app's credentials\n"
        )
    sock = bind(settings.host, settings.port)
    try:
        proxy = build(spec, settings, redactor, stream)
    except BaseException:
        sock.close()
        raise
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        proxy.app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        server_header=False,
        date_header=False,
    )
    server = _Server(config)
    address = f"http://{settings.host if ':' not in settings.host else f'[{settings.host}]'}:{port}"
    proxy.live.line(
        f"contracts proxy on {address} → {redactor.text(proxy.masker.url(proxy.upstream))}"
        + (" (read-only)" if settings.read_only else "")
        + (" (strict)" if settings.strict else "")
        + (f", recording to {settings.record}" if settings.record else "")
    )
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return proxy.finish()


def _verdict(ledger: Ledger, findings: list[Finding]) -> tuple[ExitCode, str]:
    if any(f.severity == "error" for f in findings):
        return ExitCode.FINDINGS, ""
    if ledger.exchanges == 0:
        return ExitCode.ERROR, "no request came through the proxy: nothing was judged"
    if ledger.har_failures:
        return ExitCode.ERROR, f"{ledger.har_failures} exchange(s) could not be written to the HAR"
    if ledger.upstream_answers == 0 and ledger.upstream_failures:
        return ExitCode.ERROR, "the upstream was never reachable: no answer of it was judged"
    if not ledger.operations:
        return ExitCode.ERROR, "no request matched an operation of the spec: nothing was judged"
    if ledger.judged == 0:
        return ExitCode.ERROR, "no upstream answer was judged (refused, mocked or failed)"
    return ExitCode.OK, ""


def finish(
    spec: Spec,
    settings: ProxySettings,
    ledger: Ledger,
    redactor: Redactor,
    upstream: str,
    masker: Masker,
    stream: TextIO,
    recorder: HarRecorder | None,
) -> Outcome:
    findings = [redactor.finding(f) for f in ledger.findings()]
    code, reason = _verdict(ledger, findings)
    incidents = [dataclasses.replace(i, message=redactor.text(i.message)) for i in ledger.infrastructure()]
    summary: dict[str, Any] = {
        "verdict": {0: "conformant", 1: "violations", 2: "could not test"}[int(code)],
        "exit_code": int(code),
        "reason": reason,
        "violations": len(findings),
        "occurrences": sum(int(f.extra.get("count", 1)) for f in findings),
        "exchanges": ledger.exchanges,
        "responses": ledger.judged,
        "mocked": ledger.mocked,
        "refused": ledger.refused,
        "unmatched": sum(ledger.unmatched.values()),
        "operations_tested": len(ledger.operations),
        "operations": sorted(ledger.operations),
        "operations_planned": len(spec.operations),
        "duration_seconds": round(time.monotonic() - ledger.started, 1),
        "infrastructure": [i.to_dict() for i in incidents],
        "cleaned_up": [],
        "har": settings.record,
        "har_entries": recorder.entries if recorder else 0,
    }
    meta: dict[str, Any] = {
        "mode": "proxy",
        "base_url": redactor.text(masker.url(upstream)),
        "allow_writes": not settings.read_only,
        "auth": "passed through from the client",
        "phases": ["proxy"],
        "max_examples": None,
        "seed": None,
        "strict": settings.strict,
        "fallback": settings.fallback,
        "checks": [*REQUEST_CHECKS, *(c.name for c in checks.select())],
        "operations_planned": [op.operation_id for op in spec.operations],
        "operations_skipped": [],
    }
    if settings.report:
        write_reports(Path(settings.report), ledger.coverage, meta, findings, summary)
    for f in findings:
        stream.write(
            f"✗ [{f.extra.get('side')}] {f.operation} {f.status or '-'} {f.check} {f.pointer or '/'}: "
            f"{f.message} ({f.extra.get('count')}x)\n"
        )
    stream.write(f"{summary['verdict']}: {ledger.status_line()}\n")
    if reason:
        stream.write(f"reason: {reason}\n")
    stream.flush()
    return Outcome(code, summary, findings)


def write_reports(
    directory: Path,
    coverage: Coverage,
    meta: dict[str, Any],
    findings: list[Finding],
    summary: dict[str, Any],
) -> None:
    """The same files as ``contracts run``, report.html included."""
    try:
        outputs: list[Reporter] = reporters(directory, coverage)
        fan = FanOut(outputs)
        fan.start(meta)
        for finding in findings:
            fan.handle(finding)
        fan.finish(summary)
    except OSError as exc:
        raise ConfigError(f"cannot write the reports in {directory} ({exc.strerror or exc})") from None
