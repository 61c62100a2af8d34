"""``contracts run``: schemathesis's phases over every operation, judged by our checks too.

Flow: settings → target (a URL, or the embedded mock on a free loopback port) → preflight →
schemathesis engine with our registry as a custom check and a write guard at the transport →
cleanup of what the run created → findings, coverage, infrastructure events → reports.
"""

from __future__ import annotations

import base64
import copy
import logging
import secrets
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from contracts import checks
from contracts.config import secret_from_env
from contracts.errors import ExitCode, TargetError
from contracts.findings import Finding
from contracts.report.coverage import Coverage
from contracts.report.redact import Redactor
from contracts.runner.collect import CHECK_NAME, Collector, installed
from contracts.runner.safety import Safety, check_base_url, is_loopback
from contracts.runner.throttle import Throttle, schemathesis_rate
from contracts.spec import Spec

log = logging.getLogger(__name__)
PHASES = ("examples", "coverage", "fuzzing", "stateful")
DEFAULT_REMOTE_RATE = 2.0
# schemathesis cannot know that a schema-valid request may break a documented business rule
# (a duplicate name is 400 with 310069), so positive acceptance is left out; ours judge the rest.
EXCLUDED_BUILTINS = ["positive_data_acceptance"]
READ_ONLY_EXCLUDED = ["unsupported_method"]


@dataclass(frozen=True)
class RunSettings:
    """``[tool.contracts.run]``; secrets are only named here (environment variables), never stored."""

    base_url: str | None = None
    max_examples: int = 10
    allow_writes: bool = False
    rate_limit: float | None = None
    report: str | None = None
    checks: tuple[str, ...] = ()
    phases: tuple[str, ...] = PHASES
    timeout: float = 10.0
    basic_user_env: str = "CONTRACTS_BASIC_USER"
    basic_password_env: str = "CONTRACTS_BASIC_PASSWORD"
    bearer_token_env: str = "CONTRACTS_BEARER_TOKEN"
    seed: int | None = None


@dataclass
class RunResult:
    base_url: str
    allow_writes: bool
    findings: list[Finding]
    responses: int
    operations: set[str]
    infrastructure: list[str]
    coverage: Coverage
    cleaned: list[int] = field(default_factory=list)
    reason: str = ""

    @property
    def exit_code(self) -> ExitCode:
        if self.responses == 0:
            return ExitCode.ERROR
        return ExitCode.FINDINGS if any(f.severity == "error" for f in self.findings) else ExitCode.OK


@dataclass(frozen=True)
class Credentials:
    user: str | None
    password: str | None
    token: str | None

    @classmethod
    def from_env(cls, settings: RunSettings) -> Credentials:
        return cls(
            secret_from_env(settings.basic_user_env),
            secret_from_env(settings.basic_password_env),
            secret_from_env(settings.bearer_token_env),
        )

    def header(self) -> dict[str, str]:
        if self.user and self.password:
            return {
                "Authorization": "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            }
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        return {}


@contextmanager
def target(spec: Spec, settings: RunSettings, creds: Credentials) -> Iterator[tuple[str, Credentials]]:
    """The URL to test and the credentials to use: the given URL, or the embedded mock."""
    if settings.base_url:
        yield check_base_url(settings.base_url), creds
        return
    from contracts.mock import create_app, serve_in_thread

    own = (
        creds if creds.user and creds.password else Credentials("contracts", secrets.token_urlsafe(12), None)
    )
    app = create_app(spec, credentials=(str(own.user), str(own.password)))
    with serve_in_thread(app) as url:
        yield url, own


def preflight(spec: Spec, base_url: str, headers: dict[str, str], timeout: float) -> None:
    """One read request so an unreachable target is exit 2, not a run that tested nothing."""
    probe = next((op for op in spec.operations if op.method == "GET" and "{" not in op.path), None)
    path = probe.path if probe else "/"
    try:
        with httpx.Client(timeout=timeout) as client:
            client.get(base_url + path, headers=headers)
    except httpx.HTTPError as exc:
        raise TargetError(f"cannot reach {base_url}: {exc.__class__.__name__}: {str(exc)[:120]}") from None


def _schema(spec: Spec, settings: RunSettings, base_url: str, headers: dict[str, str], loopback: bool) -> Any:
    import schemathesis
    from schemathesis import GenerationMode

    schema: Any = schemathesis.openapi.from_dict(copy.deepcopy(spec.raw))
    rate = (
        settings.rate_limit if settings.rate_limit is not None else (0.0 if loopback else DEFAULT_REMOTE_RATE)
    )
    schema.config.update(
        base_url=base_url,
        headers=headers,
        rate_limit=schemathesis_rate(rate),
        request_timeout=settings.timeout,
        # schemathesis waits out 429 + Retry-After itself; transport failures get retries off loopback.
        request_retries=0 if loopback else 2,
    )
    schema.config.phases.update(phases=list(settings.phases))
    if settings.seed is not None:
        schema.config.seed = settings.seed
    schema.config.generation.update(
        max_examples=settings.max_examples, modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    )
    # Without --allow-writes nothing but reads may leave, so no probing with undocumented methods.
    excluded = EXCLUDED_BUILTINS + ([] if settings.allow_writes else READ_ONLY_EXCLUDED)
    schema.config.checks.update(excluded_check_names=excluded)
    if not settings.allow_writes:
        schema.config.phases.coverage.unexpected_methods = {
            "HEAD",
            "OPTIONS",
        } & schema.config.phases.coverage.unexpected_methods
    if not settings.allow_writes:
        schema = schema.include(method=["GET", "HEAD", "OPTIONS"])
    return schema


def _engine_findings(event: Any, labels: dict[str, str], redactor: Redactor) -> Iterator[Finding]:
    recorder = event.recorder
    for nodes in recorder.checks.values():
        for node in nodes:
            if node.name == CHECK_NAME or node.failure_info is None or str(node.status) != "failure":
                continue
            failure = node.failure_info.failure
            message = f"{failure.title}: {(failure.message or '').strip().splitlines()[0] if failure.message else ''}".strip(
                ": "
            )
            yield Finding(
                f"schemathesis.{node.name}",
                redactor.text(message),
                operation=labels.get(recorder.label, recorder.label),
                extra={"curl": redactor.text(node.failure_info.code_sample)},
            )


def run(spec: Spec, settings: RunSettings) -> RunResult:
    """Run the contract suite; raises TargetError when the target cannot be judged at all."""
    from schemathesis.engine import events as ev
    from schemathesis.engine import from_schema

    creds = Credentials.from_env(settings)
    selected = checks.select(settings.checks or None)
    with ExitStack() as stack:
        base_url, creds = stack.enter_context(target(spec, settings, creds))
        redactor = Redactor.for_credentials(creds.user, creds.password, creds.token)
        headers = creds.header()
        loopback = is_loopback(base_url)
        preflight(spec, base_url, headers, settings.timeout)
        safety = Safety(settings.allow_writes, prefix=f"contracts-{uuid.uuid4().hex[:8]}-")
        collector = Collector(spec, safety, redactor, selected, Coverage(spec))
        labels = {op.label: op.operation_id for op in spec.operations}
        engine_findings: dict[tuple[Any, ...], Finding] = {}
        infrastructure: list[str] = []
        with installed(collector):
            for event in from_schema(_schema(spec, settings, base_url, headers, loopback)).execute():
                if isinstance(event, ev.ScenarioFinished):
                    for finding in _engine_findings(event, labels, redactor):
                        engine_findings.setdefault(finding.key, finding)
                elif isinstance(event, ev.RateLimitRetry):
                    infrastructure.append(
                        redactor.text(f"rate limited, retried: {getattr(event, 'label', '')}")
                    )
                elif isinstance(event, ev.NonFatalError):
                    infrastructure.append(
                        redactor.text(
                            f"{getattr(event, 'label', '')}: {str(getattr(event, 'info', event))[:200]}"
                        )
                    )
                elif isinstance(event, ev.FatalError):
                    raise TargetError(
                        redactor.text(f"the run stopped: {str(getattr(event, 'exception', event))[:200]}")
                    )
        cleaned = cleanup(spec, base_url, headers, safety, settings, loopback, infrastructure)
    result = RunResult(
        base_url,
        settings.allow_writes,
        [*collector.findings.values(), *engine_findings.values()],
        collector.responses,
        collector.operations,
        infrastructure,
        collector.coverage,
        cleaned,
    )
    if result.responses == 0:
        result.reason = "no response was received: nothing was tested"
    return result


def cleanup(
    spec: Spec,
    base_url: str,
    headers: dict[str, str],
    safety: Safety,
    settings: RunSettings,
    loopback: bool,
    events: list[str],
) -> list[int]:
    """Delete the target groups this run created (only ever with --allow-writes)."""
    if not settings.allow_writes or not safety.created_groups:
        return []
    delete = spec.operation("delete-target-group")
    rate = (
        settings.rate_limit if settings.rate_limit is not None else (0.0 if loopback else DEFAULT_REMOTE_RATE)
    )
    throttle = Throttle(rate)
    cleaned = []
    with httpx.Client(timeout=settings.timeout) as client:
        for group_id in safety.created_groups:
            url = base_url + delete.path.replace("{targetGroupId}", str(group_id))
            try:
                response = throttle.request(client, "DELETE", url, headers=headers)
            except httpx.HTTPError as exc:
                events.append(f"cleanup of target group {group_id} failed: {exc.__class__.__name__}")
                continue
            if response.status_code < 300 or response.status_code == 404:
                cleaned.append(group_id)
            else:
                events.append(f"cleanup of target group {group_id} answered {response.status_code}")
    events.extend(throttle.events)
    return cleaned
