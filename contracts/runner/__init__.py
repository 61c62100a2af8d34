"""``contracts run``: schemathesis's phases and the targeted phase over every operation, judged by our checks.

Flow: settings (:mod:`.settings`) → plan (:mod:`.plan`) → target (:mod:`.target`: a URL, or the
embedded mock on a free loopback port) → preflight → schemathesis engine (:mod:`.engine`: our
registry as a custom check; guard, throttle, budget and breaker under every request) → targeted
phase (:mod:`.targeted`: every documented error the spec says how to elicit) → cleanup of what the
run created (:mod:`.cleanup`) → verdict and exit code (:mod:`.verdict`, the only place that decides
them) → one redaction pass (:func:`.result.redacted`) → :class:`RunResult` for the reporters.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
import uuid
from typing import Any

import httpx

from contracts.errors import ContractsError, TargetError
from contracts.findings import Finding
from contracts.report.coverage import Coverage, parse_bars
from contracts.report.redact import Redactor
from contracts.runner.auth import LOCAL_NOACCESS_CREDENTIALS, Credentials
from contracts.runner.budget import Budget
from contracts.runner.cleanup import Cleanup, clean_up
from contracts.runner.collect import Collector
from contracts.runner.plan import DEFAULT_REMOTE_RATE, PHASES, SCHEMATHESIS_PHASES, Plan, make_plan
from contracts.runner.progress import Live, ProgressSink
from contracts.runner.result import RunResult, redacted
from contracts.runner.safety import Safety, check_base_url, is_loopback
from contracts.runner.settings import RunSettings
from contracts.runner.target import preflight, target
from contracts.runner.throttle import Incident, Throttle, default_rate
from contracts.runner.verdict import decide, problems
from contracts.spec import Spec

__all__ = ["PHASES", "RunResult", "RunSettings", "run"]
log = logging.getLogger(__name__)


def noaccess_credentials(settings: RunSettings, loopback: bool) -> Credentials | None:
    """The valid-but-forbidden pair for the 403 probes: from the environment, else the local default on loopback."""
    given = Credentials.from_env(
        user=None,
        user_env=settings.noaccess_user_env,
        password_env=settings.noaccess_password_env,
        token_env="",
    )
    if given.basic:
        return given
    return Credentials(*LOCAL_NOACCESS_CREDENTIALS) if loopback else None


ENGINE_MODULES = ("schemathesis.openapi", "schemathesis.engine", "contracts.runner.engine")
"""Imported in the background while the embedded mock starts (~0.4 s of the run's start path)."""


def _import_engine() -> None:
    for name in ENGINE_MODULES:
        importlib.import_module(name)


def run(spec: Spec, settings: RunSettings, progress: ProgressSink | None = None) -> RunResult:
    """Run the contract suite; raises UsageError for bad input, otherwise every outcome is a result."""
    plan = make_plan(spec, settings)
    if settings.base_url is not None:
        check_base_url(settings.base_url)
    bars = parse_bars(settings.min_coverage)
    given = Credentials.from_env(
        user=settings.basic_user,
        user_env=settings.basic_user_env,
        password_env=settings.basic_password_env,
        token_env=settings.bearer_token_env,
    )
    redactor = given.redactor(
        settings.basic_password_env, settings.bearer_token_env, settings.noaccess_password_env
    )
    try:
        return _run(spec, settings, plan, given, redactor, progress, bars)
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
    bars: dict[str, float],
) -> RunResult:
    started = time.monotonic()
    budget = Budget(settings.max_duration)
    collector = Collector(spec, list(plan.ours), Coverage(spec), Cleanup(spec), strict=settings.strict)
    outcome: Any = None
    targeted: Any = None
    failure: TargetError | None = None
    cleaned: list[str] = []
    live = Live(judged=lambda: collector.responses, violations=lambda: len(collector.findings))
    if settings.base_url is None and any(p in SCHEMATHESIS_PHASES for p in plan.phases):
        threading.Thread(target=_import_engine, name="contracts-import", daemon=True).start()
    with target(spec, settings, given) as (base_url, creds):
        loopback = is_loopback(base_url)
        noaccess = noaccess_credentials(settings, loopback)
        secrets = [*creds.redactor().secrets, *(noaccess.redactor().secrets if noaccess else [])]
        redactor = Redactor([*redactor.secrets, *secrets])
        headers = creds.headers()
        throttle = Throttle(default_rate(settings.rate_limit, loopback, DEFAULT_REMOTE_RATE), budget=budget)
        live.requests = lambda: throttle.sent
        if progress is not None:
            progress.start(live.snapshot)
        safety = Safety(settings.allow_writes, prefix=f"contracts-{uuid.uuid4().hex[:8]}-")
        try:
            live.phase = "preflight"
            with httpx.Client(timeout=settings.timeout) as client:
                preflight(spec, plan, base_url, headers, client, throttle)
        except TargetError as exc:
            failure = exc
        try:
            if failure is None and any(p in SCHEMATHESIS_PHASES for p in plan.phases):
                from contracts.runner.engine import run_schemathesis

                outcome = run_schemathesis(
                    spec, settings, plan, base_url, headers, loopback, collector, safety, throttle, live
                )
            if failure is None and "targeted" in plan.phases and not throttle.breaker.tripped:
                from contracts.runner.targeted import Targeted

                live.phase = "targeted"
                with httpx.Client(timeout=settings.timeout) as client:
                    targeted = Targeted(
                        spec, spec.operations, base_url, creds, noaccess, collector, safety, throttle, client
                    ).run()
            if settings.allow_writes and collector.cleanup.removals:
                live.engine, live.phase = None, "cleanup"
                cleaned = clean_up(collector.cleanup, base_url, headers, throttle, settings.timeout)
        finally:
            if progress is not None:
                progress.stop()
    if targeted is not None:
        collector.coverage.explain(targeted.results)
    incidents = [*throttle.incidents, *(outcome.incidents if outcome else [])]
    incidents += [Incident("blocked", f"{b}: stopped by the write guard") for b in safety.blocked]
    exercised = {op: set(found) for op, found in collector.exercised.items()}
    for op, found in (outcome.exercised if outcome else {}).items():
        exercised.setdefault(op, set()).update(found)
    findings: list[Finding] = [
        *collector.findings.values(),
        *(outcome.findings.values() if outcome else []),
        *(targeted.findings if targeted else []),
    ]
    infrastructure, incomplete = problems(failure.message if failure else None, outcome, throttle, targeted)
    verdict = decide(
        violations=sum(f.severity == "error" for f in findings),
        responses=collector.responses,
        planned=[op.operation_id for op in plan.operations],
        judged=collector.operations,
        infrastructure=infrastructure,
        incomplete=incomplete,
        allow_incomplete=settings.allow_incomplete,
        gate=collector.coverage.below(bars),
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
        targeted=[r.to_dict() for r in targeted.results] if targeted else [],
    )
    return redacted(result, redactor)
