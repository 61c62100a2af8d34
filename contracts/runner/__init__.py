"""``contracts run``: schemathesis's phases over every operation, judged by our checks too.

Flow: settings → plan → target (a URL, or the embedded mock on a free loopback port) → preflight →
schemathesis engine (our registry as a custom check; guard, throttle, budget and breaker under every
request) → cleanup of what the run created → verdict (:mod:`contracts.runner.verdict`) → one
redaction pass → :class:`RunResult` for the reporters.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from contracts.errors import ContractsError, ExitCode, TargetError
from contracts.findings import Finding
from contracts.report.coverage import Coverage
from contracts.report.redact import Redactor
from contracts.runner.auth import Credentials
from contracts.runner.budget import DEFAULT_MAX_DURATION, Breaker, Budget
from contracts.runner.cleanup import Cleanup
from contracts.runner.collect import Collector
from contracts.runner.plan import DEFAULT_REMOTE_RATE, PHASES, Plan, make_plan
from contracts.runner.progress import Live, ProgressSink
from contracts.runner.safety import Safety, check_base_url, is_loopback
from contracts.runner.throttle import RETRY_STATUSES, Incident, Throttle, default_rate
from contracts.runner.verdict import Verdict, decide
from contracts.spec import READ_METHODS, Spec

__all__ = ["PHASES", "RunResult", "RunSettings", "run"]
log = logging.getLogger(__name__)
CLEANUP_GRACE = 60.0
"""Seconds cleanup may take after the run's budget is spent: what a run created is removed anyway."""


@dataclass(frozen=True)
class RunSettings:
    """``[tool.contracts.run]``; every flag of ``contracts run`` has its twin here, and flags win.

    Secrets are never settings: ``*_env`` name the environment variables that hold them.
    """

    base_url: str | None = None
    max_examples: int = 10
    allow_writes: bool = False
    allow_incomplete: bool = False
    strict: bool = False
    """Warnings (e.g. undocumented_property) count as violations."""
    """Selected operations without a judged response are a warning, not exit 2 (infrastructure
    trouble stays exit 2)."""
    rate_limit: float | None = None
    max_duration: float = DEFAULT_MAX_DURATION
    """The run's time budget in seconds (0 = none): Retry-After is honoured within it; when it runs
    out the run stops and is incomplete."""
    report: str | None = None
    checks: tuple[str, ...] = ()
    phases: tuple[str, ...] = PHASES
    timeout: float = 10.0
    workers: int = 1
    progress: Literal["auto", "rich", "plain", "off"] = "auto"
    basic_user: str | None = None
    basic_user_env: str = "CONTRACTS_BASIC_USER"
    basic_password_env: str = "CONTRACTS_BASIC_PASSWORD"
    bearer_token_env: str = "CONTRACTS_BEARER_TOKEN"
    seed: int | None = None


SKIP_WRITE = "write operation: not sent in a read-only run (use --allow-writes)"


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
    verdict_: Verdict = field(default_factory=lambda: Verdict(ExitCode.ERROR, "not run"))
    exercised: dict[str, set[str]] = field(default_factory=dict)
    """Operation id → checks that ran on at least one of its responses."""
    unlisted: int = 0
    """Incidents counted but not listed (past the throttle's cap)."""
    requests: int = 0
    """Requests sent (retries included)."""
    lost: int = 0
    """Requests that got no usable answer."""
    cleaned: list[str] = field(default_factory=list)
    auth: str = "none"
    duration: float = 0.0
    hint: str | None = None

    @property
    def exit_code(self) -> ExitCode:
        return self.verdict_.code

    @property
    def verdict(self) -> str:
        return self.verdict_.label

    @property
    def reason(self) -> str:
        return self.verdict_.reason

    def skipped(self) -> list[dict[str, str]]:
        """Every operation without a judged response, with the reason: the selected ones first."""
        why = "; ".join(self.verdict_.causes)
        unjudged = "selected, but no response was judged" + (f" ({why})" if why else "")
        out = [{"operation": op, "reason": unjudged} for op in self.verdict_.unjudged]
        return out + [{"operation": op.operation_id, "reason": SKIP_WRITE} for op in self.plan.skipped]

    def meta(self) -> dict[str, Any]:
        """Run metadata for every report (no secret: the auth scheme only)."""
        return {
            "base_url": self.base_url,
            "allow_writes": self.settings.allow_writes,
            "allow_incomplete": self.settings.allow_incomplete,
            "strict": self.settings.strict,
            "auth": self.auth,
            "phases": list(self.plan.phases),
            "max_examples": self.settings.max_examples,
            "max_duration": self.settings.max_duration,
            "seed": self.settings.seed,
            "workers": self.settings.workers,
            "checks": self.plan.check_names,
            "operations_planned": [op.operation_id for op in self.plan.operations],
            "operations_skipped": [op.operation_id for op in self.plan.skipped],
        }

    def summary(self) -> dict[str, Any]:
        checks = self.plan.check_names
        judged: dict[str, dict[str, Any]] = {
            op: {
                "responses": self.coverage.responses.get(op, 0),
                "checks": [c for c in checks if c in self.exercised.get(op, set())],
            }
            for op in sorted(self.operations)
        }
        return {
            "verdict": self.verdict,
            "exit_code": int(self.exit_code),
            "reason": self.reason,
            "complete": self.verdict_.complete,
            "warnings": list(self.verdict_.warnings),
            "violations": sum(f.severity == "error" for f in self.findings),
            "warning_findings": sum(f.severity != "error" for f in self.findings),
            "responses": self.responses,
            "requests": self.requests,
            "requests_lost": self.lost,
            "operations_tested": len(self.operations),
            "operations": sorted(self.operations),
            "operations_planned": len(self.plan.operations),
            "operations_unjudged": list(self.verdict_.unjudged),
            "operations_skipped": self.skipped(),
            "operations_judged": judged,
            "checks_exercised": sum(len(j["checks"]) for j in judged.values()),
            "checks_possible": len(self.plan.operations) * len(checks),
            "duration_seconds": round(self.duration, 1),
            "infrastructure": [i.to_dict() for i in self.incidents],
            "infrastructure_unlisted": self.unlisted,
            "cleaned_up": self.cleaned,
        }


@contextmanager
def target(spec: Spec, settings: RunSettings, creds: Credentials) -> Iterator[tuple[str, Credentials]]:
    """The URL to test and the credentials to use: the given URL, or the embedded mock.

    A loopback URL without credentials in the environment gets the local default pair that
    ``contracts mock`` requires by default (:data:`contracts.runner.auth.LOCAL_CREDENTIALS`).
    """
    if settings.base_url is not None:
        url = check_base_url(settings.base_url)
        yield url, creds.for_loopback() if is_loopback(url) else creds
        return
    from contracts.mock import create_app, serve_in_thread

    own = Credentials.for_mock(creds)
    app = create_app(spec, credentials=(str(own.user), str(own.password)))
    with serve_in_thread(app) as url:
        yield url, own


def preflight(
    spec: Spec, plan: Plan, base_url: str, headers: dict[str, str], client: httpx.Client, throttle: Throttle
) -> None:
    """One read request, so an unreachable, unavailable or refusing target is exit 2 at once."""
    probe = next((op for op in plan.operations if op.method in READ_METHODS and "{" not in op.path), None)
    probe = probe or next((op for op in spec.operations if op.method == "GET" and "{" not in op.path), None)
    url = base_url + (probe.path if probe else "/")
    label = f"GET {probe.path if probe else '/'}"
    try:
        response = throttle.call(label, lambda: client.get(url, headers=headers))
    except httpx.HTTPError as exc:
        throttle.failed(label, exc)
        raise TargetError(
            f"cannot reach {base_url}: {label} failed: {exc.__class__.__name__}: {str(exc)[:160]}",
            hint="check the URL, DNS, TLS and that the server is up",
        ) from None
    if response.status_code in RETRY_STATUSES:
        raise TargetError(
            f"{base_url} is unavailable: {label} still answered {response.status_code} after the retries"
            " (Retry-After honoured)",
            hint="try again later, or raise --max-duration to wait longer",
        )
    if response.status_code == 401:
        raise TargetError(
            f"{base_url} refused the credentials ({label} answered 401)",
            hint="set CONTRACTS_BASIC_USER/CONTRACTS_BASIC_PASSWORD or CONTRACTS_BEARER_TOKEN",
        )


def run(spec: Spec, settings: RunSettings, progress: ProgressSink | None = None) -> RunResult:
    """Run the contract suite; raises UsageError for bad input, otherwise every outcome is a result."""
    plan = make_plan(spec, settings)
    if settings.base_url is not None:
        check_base_url(settings.base_url)
    given = Credentials.from_env(
        user=settings.basic_user,
        user_env=settings.basic_user_env,
        password_env=settings.basic_password_env,
        token_env=settings.bearer_token_env,
    )
    redactor = given.redactor(settings.basic_password_env, settings.bearer_token_env)
    try:
        return _run(spec, settings, plan, given, redactor, progress)
    except ContractsError as exc:
        exc.message = redactor.text(exc.message)
        raise


def _run(
    spec: Spec,
    settings: RunSettings,
    plan: Plan,
    given: Credentials,
    redactor: Redactor,
    progress: ProgressSink | None,
) -> RunResult:
    started = time.monotonic()
    budget = Budget(settings.max_duration)
    collector = Collector(spec, list(plan.ours), Coverage(spec), Cleanup(spec), strict=settings.strict)
    outcome: Any = None
    failure: TargetError | None = None
    cleaned: list[str] = []
    live = Live(judged=lambda: collector.responses, violations=lambda: len(collector.findings))
    with target(spec, settings, given) as (base_url, creds):
        redactor = Redactor([*redactor.secrets, *creds.redactor().secrets])
        headers = creds.headers()
        loopback = is_loopback(base_url)
        throttle = Throttle(default_rate(settings.rate_limit, loopback, DEFAULT_REMOTE_RATE), budget=budget)
        live.requests = lambda: throttle.sent
        if progress is not None:
            progress.start(live.snapshot)
        try:
            live.phase = "preflight"
            with httpx.Client(timeout=settings.timeout) as client:
                preflight(spec, plan, base_url, headers, client, throttle)
        except TargetError as exc:
            failure = exc
        safety = Safety(settings.allow_writes, prefix=f"contracts-{uuid.uuid4().hex[:8]}-")
        try:
            if failure is None:
                outcome = _engine(
                    spec, settings, plan, base_url, headers, loopback, collector, safety, throttle, live
                )
            if settings.allow_writes and collector.cleanup.removals:
                live.engine, live.phase = None, "cleanup"
                stopped = throttle.breaker
                throttle.breaker = Breaker()
                throttle.budget = Budget(max(budget.remaining(), CLEANUP_GRACE))
                with httpx.Client(timeout=settings.timeout) as client:
                    cleaned, failed = collector.cleanup.run(client, base_url, headers, throttle)
                throttle.breaker, throttle.budget = stopped, budget
                for incident in failed:
                    throttle.note(incident)
        finally:
            if progress is not None:
                progress.stop()
    incidents = [*throttle.incidents, *(outcome.incidents if outcome else [])]
    incidents += [Incident("blocked", f"{b}: stopped by the write guard") for b in safety.blocked]
    exercised = {op: set(found) for op, found in collector.exercised.items()}
    for op, found in (outcome.exercised if outcome else {}).items():
        exercised.setdefault(op, set()).update(found)
    findings = [*collector.findings.values(), *(outcome.findings.values() if outcome else [])]
    infrastructure, incomplete = _problems(failure, outcome, throttle)
    verdict = decide(
        violations=sum(f.severity == "error" for f in findings),
        responses=collector.responses,
        planned=[op.operation_id for op in plan.operations],
        judged=collector.operations,
        infrastructure=infrastructure,
        incomplete=incomplete,
        allow_incomplete=settings.allow_incomplete,
    )
    result = RunResult(
        base_url=base_url,
        settings=settings,
        plan=plan,
        findings=findings,
        responses=collector.responses,
        operations=collector.operations,
        incidents=incidents,
        verdict_=verdict,
        exercised=exercised,
        unlisted=sum(throttle.counts.values()) - len(throttle.incidents),
        lost=throttle.lost,
        coverage=collector.coverage,
        cleaned=cleaned,
        auth=creds.scheme,
        duration=time.monotonic() - started,
        hint=failure.hint if failure else None,
        requests=throttle.sent,
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
    live: Live,
) -> Any:
    """schemathesis's phases with our check, guard and throttle installed; its events, digested."""
    from schemathesis.engine import from_schema

    from contracts.runner import _schemathesis as glue

    labels = {op.label: op.operation_id for op in spec.operations}
    outcome = glue.Outcome(labels, planned=len(plan.operations))
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
    live.engine = lambda: (
        outcome.phase or "starting",
        outcome.operation,
        outcome.phase_done,
        outcome.phase_total,
    )
    with glue.installed(collector, safety, throttle, labels):
        stream = from_schema(glue.load(spec, sconfig)).execute()
        throttle.breaker.on_trip.append(stream.stop)
        for event in stream:
            outcome.feed(event)
    return outcome


def _problems(failure: TargetError | None, outcome: Any, throttle: Throttle) -> tuple[list[str], list[str]]:
    """(infrastructure trouble, incompleteness) of the run, each one line."""
    infrastructure: list[str] = []
    incomplete: list[str] = []
    if failure is not None:
        infrastructure.append(failure.message)
    breaker = throttle.breaker
    if breaker.tripped and breaker.kind == "infrastructure":
        infrastructure.append(breaker.reason)
    elif breaker.tripped:
        incomplete.append(breaker.reason)
    if throttle.lost and failure is None:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(throttle.counts.items()) if k in LOST_KINDS)
        infrastructure.append(
            f"{throttle.lost} request(s) got no usable answer ({kinds}; first: {throttle.first_loss})"
        )
    if outcome is not None:
        if outcome.fatal:
            infrastructure.append(f"the run stopped: {outcome.fatal}")
        if outcome.stop_reason == "server_unavailable" and not breaker.tripped:
            infrastructure.append(
                "the server stopped answering during the run (a refused or reset connection)"
            )
        if outcome.stop_reason == "interrupted" and not breaker.tripped:
            infrastructure.append("the run was interrupted")
    return infrastructure, incomplete


LOST_KINDS = frozenset({"transport", "gave-up", "unavailable"})


def _redacted(result: RunResult, redactor: Redactor) -> RunResult:
    """The single redaction pass: nothing a reporter receives can hold a credential."""
    verdict = result.verdict_
    return dataclasses.replace(
        result,
        base_url=redactor.text(result.base_url),
        findings=[redactor.finding(f) for f in result.findings],
        incidents=[dataclasses.replace(i, message=redactor.text(i.message)) for i in result.incidents],
        verdict_=dataclasses.replace(
            verdict,
            reason=redactor.text(verdict.reason),
            warnings=tuple(redactor.text(w) for w in verdict.warnings),
        ),
        cleaned=[redactor.text(c) for c in result.cleaned],
        hint=redactor.text(result.hint) if result.hint else None,
    )
