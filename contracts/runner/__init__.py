"""``contracts run``: schemathesis's phases over every operation, judged by our checks too.

Flow: settings → plan → target (a URL, or the embedded mock on a free loopback port) → preflight →
schemathesis engine (our registry as a custom check, the guard and throttle under every request) →
cleanup of what the run created → one redaction pass → :class:`RunResult` for the reporters.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from contracts.errors import ContractsError, ExitCode, TargetError
from contracts.findings import Finding
from contracts.report.coverage import Coverage
from contracts.report.redact import Redactor
from contracts.runner.auth import Credentials
from contracts.runner.cleanup import Cleanup
from contracts.runner.collect import Collector
from contracts.runner.plan import DEFAULT_REMOTE_RATE, PHASES, Plan, make_plan
from contracts.runner.safety import Safety, check_base_url, is_loopback
from contracts.runner.throttle import Incident, Throttle, default_rate
from contracts.spec import READ_METHODS, Spec

__all__ = ["PHASES", "RunResult", "RunSettings", "run"]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunSettings:
    """``[tool.contracts.run]``; every flag of ``contracts run`` has its twin here, and flags win.

    Secrets are never settings: ``*_env`` name the environment variables that hold them.
    """

    base_url: str | None = None
    max_examples: int = 10
    allow_writes: bool = False
    rate_limit: float | None = None
    report: str | None = None
    checks: tuple[str, ...] = ()
    phases: tuple[str, ...] = PHASES
    timeout: float = 10.0
    workers: int = 1
    basic_user: str | None = None
    basic_user_env: str = "CONTRACTS_BASIC_USER"
    basic_password_env: str = "CONTRACTS_BASIC_PASSWORD"
    bearer_token_env: str = "CONTRACTS_BEARER_TOKEN"
    seed: int | None = None


@dataclass
class RunResult:
    """Everything the reporters need, already redacted."""

    base_url: str
    settings: RunSettings
    plan: Plan
    findings: list[Finding]
    responses: int
    operations: set[str]
    incidents: list[Incident]
    coverage: Coverage
    unlisted: int = 0
    """Incidents counted but not listed (past the throttle's cap)."""
    cleaned: list[str] = field(default_factory=list)
    auth: str = "none"
    duration: float = 0.0
    reason: str = ""
    """Why the run could not judge the target (exit 2), empty otherwise."""

    @property
    def exit_code(self) -> ExitCode:
        if any(f.severity == "error" for f in self.findings):
            return ExitCode.FINDINGS
        if self.reason:
            return ExitCode.ERROR
        return ExitCode.OK

    @property
    def verdict(self) -> str:
        return {0: "conformant", 1: "violations", 2: "could not test"}[int(self.exit_code)]

    def meta(self) -> dict[str, Any]:
        """Run metadata for every report (no secret: the auth scheme only)."""
        return {
            "base_url": self.base_url,
            "allow_writes": self.settings.allow_writes,
            "auth": self.auth,
            "phases": list(self.plan.phases),
            "max_examples": self.settings.max_examples,
            "seed": self.settings.seed,
            "workers": self.settings.workers,
            "checks": self.plan.check_names,
            "operations_planned": [op.operation_id for op in self.plan.operations],
            "operations_skipped": [op.operation_id for op in self.plan.skipped],
        }

    def summary(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "exit_code": int(self.exit_code),
            "reason": self.reason,
            "violations": len(self.findings),
            "responses": self.responses,
            "operations_tested": len(self.operations),
            "operations": sorted(self.operations),
            "operations_planned": len(self.plan.operations),
            "duration_seconds": round(self.duration, 1),
            "infrastructure": [i.to_dict() for i in self.incidents],
            "infrastructure_unlisted": self.unlisted,
            "cleaned_up": self.cleaned,
        }


@contextmanager
def target(spec: Spec, settings: RunSettings, creds: Credentials) -> Iterator[tuple[str, Credentials]]:
    """The URL to test and the credentials to use: the given URL, or the embedded mock."""
    if settings.base_url:
        yield check_base_url(settings.base_url), creds
        return
    from contracts.mock import create_app, serve_in_thread

    own = Credentials.for_mock(creds)
    app = create_app(spec, credentials=(str(own.user), str(own.password)))
    with serve_in_thread(app) as url:
        yield url, own


def preflight(
    spec: Spec, plan: Plan, base_url: str, headers: dict[str, str], client: httpx.Client, throttle: Throttle
) -> None:
    """One read request, so an unreachable target or refused credentials are exit 2, not a run
    that judged nothing."""
    probe = next((op for op in plan.operations if op.method in READ_METHODS and "{" not in op.path), None)
    probe = probe or next((op for op in spec.operations if op.method == "GET" and "{" not in op.path), None)
    url = base_url + (probe.path if probe else "/")
    try:
        response = throttle.call(f"GET {url}", lambda: client.get(url, headers=headers))
    except httpx.HTTPError as exc:
        raise TargetError(
            f"cannot reach {base_url}: {exc.__class__.__name__}: {str(exc)[:160]}",
            hint="check the URL, DNS, TLS and that the server is up",
        ) from None
    if response.status_code == 401:
        raise TargetError(
            f"{base_url} refused the credentials (GET {probe.path if probe else '/'} answered 401)",
            hint="set CONTRACTS_BASIC_USER/CONTRACTS_BASIC_PASSWORD or CONTRACTS_BEARER_TOKEN",
        )


def run(spec: Spec, settings: RunSettings) -> RunResult:
    """Run the contract suite; raises TargetError (exit 2) when the target cannot be judged at all."""
    plan = make_plan(spec, settings)
    given = Credentials.from_env(
        user=settings.basic_user,
        user_env=settings.basic_user_env,
        password_env=settings.basic_password_env,
        token_env=settings.bearer_token_env,
    )
    redactor = given.redactor(settings.basic_password_env, settings.bearer_token_env)
    try:
        return _run(spec, settings, plan, given, redactor)
    except ContractsError as exc:
        exc.message = redactor.text(exc.message)
        raise


def _run(spec: Spec, settings: RunSettings, plan: Plan, given: Credentials, redactor: Redactor) -> RunResult:
    started = time.monotonic()
    with target(spec, settings, given) as (base_url, creds):
        redactor = Redactor([*redactor.secrets, *creds.redactor().secrets])
        headers = creds.headers()
        loopback = is_loopback(base_url)
        throttle = Throttle(default_rate(settings.rate_limit, loopback, DEFAULT_REMOTE_RATE))
        with httpx.Client(timeout=settings.timeout) as client:
            preflight(spec, plan, base_url, headers, client, throttle)
        safety = Safety(settings.allow_writes, prefix=f"contracts-{uuid.uuid4().hex[:8]}-")
        collector = Collector(spec, list(plan.ours), Coverage(spec), Cleanup(spec))
        outcome = _engine(spec, settings, plan, base_url, headers, loopback, collector, safety, throttle)
        cleaned: list[str] = []
        if settings.allow_writes and collector.cleanup.removals:
            with httpx.Client(timeout=settings.timeout) as client:
                cleaned, failed = collector.cleanup.run(client, base_url, headers, throttle)
            for incident in failed:
                throttle.note(incident)
    incidents = [*throttle.incidents, *outcome.incidents]
    incidents += [Incident("blocked", f"{b}: stopped by the write guard") for b in safety.blocked]
    result = RunResult(
        base_url=base_url,
        settings=settings,
        plan=plan,
        findings=[*collector.findings.values(), *outcome.findings.values()],
        responses=collector.responses,
        operations=collector.operations,
        incidents=incidents,
        unlisted=sum(throttle.counts.values()) - len(throttle.incidents),
        coverage=collector.coverage,
        cleaned=cleaned,
        auth=creds.scheme,
        duration=time.monotonic() - started,
        reason=_reason(collector, outcome, throttle.counts["transport"]),
    )
    return _redacted(result, redactor)


def _engine(
    spec: Spec,
    settings: RunSettings,
    plan: Plan,
    base_url: str,
    headers: dict[str, str],
    loopback: bool,
    collector: Collector,
    safety: Safety,
    throttle: Throttle,
) -> Any:
    """schemathesis's phases with our check, guard and throttle installed; its events, digested."""
    from schemathesis.engine import from_schema

    from contracts.runner import _schemathesis as glue

    labels = {op.label: op.operation_id for op in spec.operations}
    outcome = glue.Outcome(labels)
    sconfig = glue.config(
        plan,
        base_url=base_url,
        headers=headers,
        timeout=settings.timeout,
        seed=settings.seed,
        max_examples=settings.max_examples,
        workers=settings.workers,
        loopback=loopback,
    )
    with glue.installed(collector, safety, throttle, labels):
        for event in from_schema(glue.load(spec, sconfig)).execute():
            outcome.feed(event)
    return outcome


def _reason(collector: Collector, outcome: Any, transport_errors: int) -> str:
    """Why nothing (or not enough) was judged; empty when the run is a verdict."""
    if outcome.fatal:
        return f"the run stopped: {outcome.fatal}"
    if collector.responses == 0 and transport_errors:
        return f"every request failed at the transport ({transport_errors} errors)"
    if collector.responses == 0:
        return "no response was received: nothing was tested"
    if outcome.stop_reason == "server_unavailable":
        return "the server stopped answering during the run"
    if outcome.stop_reason == "interrupted":
        return "the run was interrupted"
    return ""


def _redacted(result: RunResult, redactor: Redactor) -> RunResult:
    """The single redaction pass: nothing a reporter receives can hold a credential."""
    return dataclasses.replace(
        result,
        base_url=redactor.text(result.base_url),
        findings=[redactor.finding(f) for f in result.findings],
        incidents=[dataclasses.replace(i, message=redactor.text(i.message)) for i in result.incidents],
        reason=redactor.text(result.reason),
        cleaned=[redactor.text(c) for c in result.cleaned],
    )
