"""Glue to schemathesis 4 (pinned in constraints.txt): configuration, transport guard, our checks, events.

- The configuration is built as the dict a ``schemathesis.toml`` would hold (so schemathesis
  validates it) and never discovered from disk: a stray ``schemathesis.toml`` cannot change a run.
- Every session the engine makes gets :class:`GuardedAdapter` mounted: the write guard, the
  throttle (pace, ``Retry-After``, backoff, budget, breaker) and the transport-error count sit under
  every request, probes included. The body is read inside the adapter, so a truncated body is a
  transport failure the throttle sees, never a short response handed to the checks. That patches ``schemathesis.engine.context.make_session`` for the run; the only
  private surface used, checked by the runner tests.
- Our registry runs as one schemathesis custom check that adapts each response to an
  :class:`~contracts.exchange.Exchange` and hands it to the collector; it never fails the case, so
  our findings keep their own pointers and schemathesis's failures stay its own.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from contracts.exchange import Exchange
from contracts.findings import Finding
from contracts.report.curl import curl
from contracts.runner.budget import Stopped
from contracts.runner.collect import Collector
from contracts.runner.plan import BUILTIN_CHECKS, BUILTIN_PREFIX, Plan
from contracts.runner.safety import Safety, WriteBlocked
from contracts.runner.throttle import RETRY_STATUSES, Incident, Throttle
from contracts.schemathesis_support import keeps_failure
from contracts.spec import READ_METHODS, Spec, join_pointer

CHECK_NAME = "contracts_registry"
NON_IDEMPOTENT = frozenset({"POST", "PATCH"})


class NotSent(requests.ConnectionError):
    """The run is stopping (breaker tripped, budget spent): the request was not sent."""


class GuardedAdapter(HTTPAdapter):
    """requests' adapter with the write guard and the throttle in front of the socket."""

    def __init__(self, safety: Safety, throttle: Throttle) -> None:
        super().__init__()
        self.safety, self.throttle = safety, throttle

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        method = str(request.method or "GET").upper()
        self.safety.guard(method, str(request.url))
        label = f"{method} {str(request.url).split('?', 1)[0]}"

        def send() -> requests.Response:
            response = super(GuardedAdapter, self).send(request, *args, **kwargs)
            # schemathesis always asks for a stream; read the body here anyway (an event stream
            # aside), so a truncated body fails under the throttle instead of reaching the checks.
            if "text/event-stream" not in str(response.headers.get("content-type", "")):
                response.content  # noqa: B018
            return response

        try:
            return self.throttle.call(label, send, idempotent=method not in NON_IDEMPOTENT)
        except Stopped as exc:
            raise NotSent(str(exc)) from None
        except requests.RequestException as exc:
            self.throttle.failed(label, exc)
            raise


def config(
    plan: Plan,
    *,
    base_url: str,
    headers: dict[str, str],
    timeout: float,
    seed: int | None,
    max_examples: int,
    workers: int,
    loopback: bool,
) -> Any:
    """The schemathesis configuration of this run (a ``SchemathesisConfig``)."""
    from schemathesis.config import SchemathesisConfig

    checks: dict[str, Any] = {name: {"enabled": name in plan.builtins} for name in BUILTIN_CHECKS}
    checks[CHECK_NAME] = {"enabled": bool(plan.ours)}
    operations: list[dict[str, Any]] = []
    for op_id, expected in plan.expectations.items():
        per_op: dict[str, Any] = {}
        if expected.negative:
            per_op["negative_data_rejection"] = {"expected-statuses": list(expected.negative)}
            per_op["missing_required_header"] = {"expected-statuses": list(expected.negative)}
        per_op["positive_data_acceptance"] = {"expected-statuses": list(expected.positive)}
        operations.append({"include-operation-id": op_id, "checks": per_op})
    if plan.skipped:
        # Not ``schema.include``: schemathesis ignores that filter once ``operations`` are configured.
        operations.append(
            {"include-operation-id": [op.operation_id for op in plan.skipped], "enabled": False}
        )
    data: dict[str, Any] = {
        "base-url": base_url,
        "headers": headers,
        "request-timeout": timeout,
        # Transport failures are retried by schemathesis off loopback; statuses by our throttle.
        "request-retries": 0 if loopback else 2,
        "workers": workers,
        # Against loopback no example database: replaying what earlier runs saved in .hypothesis/
        # sends requests beyond the budget (~7% of a mock run's CPU) and makes two runs differ.
        "generation": {
            "mode": "all",
            "max-examples": max_examples,
            **({"database": "none"} if loopback else {}),
        },
        "phases": {
            "examples": {"enabled": "examples" in plan.phases},
            "coverage": {
                "enabled": "coverage" in plan.phases,
                "unexpected-methods": list(plan.unexpected_methods),
            },
            "fuzzing": {"enabled": "fuzzing" in plan.phases},
            "stateful": {"enabled": "stateful" in plan.phases},
        },
        "checks": checks,
        "operations": operations,
    }
    if seed is not None:
        data["seed"] = seed
    return SchemathesisConfig.from_dict(data)


def load(spec: Spec, sconfig: Any) -> Any:
    """The spec as a schemathesis schema with this run's configuration."""
    import schemathesis

    return schemathesis.openapi.from_dict(copy.deepcopy(spec.raw), config=sconfig)


def exchange_of(response: Any, operation: str) -> Exchange:
    """A schemathesis response as the checks see it."""
    request = response.request
    body = request.body.encode() if isinstance(request.body, str) else request.body
    headers = {k: ", ".join(v) if isinstance(v, list) else str(v) for k, v in response.headers.items()}
    return Exchange(
        operation,
        response.status_code,
        response.content or b"",
        headers=headers,
        method=str(request.method).upper(),
        url=str(request.url),
        request_headers=dict(request.headers),
        request_body=body,
    )


@contextmanager
def installed(
    collector: Collector,
    safety: Safety,
    throttle: Throttle,
    labels: dict[str, str],
    *,
    loopback: bool = False,
) -> Iterator[None]:
    """Our check, the name prefix and the guarded transport, registered with schemathesis for one run."""
    import schemathesis
    import schemathesis.engine.context as engine_context
    from schemathesis.checks import CHECKS
    from schemathesis.core.parameters import ParameterLocation
    from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER

    def contracts_registry(ctx: Any, response: Any, case: Any) -> None:
        operation = labels.get(case.operation.label)
        request = response.request
        if operation is None or str(request.method).upper() != case.operation.method.upper():
            return  # a probe with an undocumented method answers for no operation
        exchange = exchange_of(response, operation)
        collector.observe(
            exchange, curl(exchange.method, exchange.url, exchange.request_headers, exchange.request_body)
        )
        return

    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        return keeps_failure(collector.spec, failure, response)

    def before_call(context: Any, case: Any, kwargs: Any) -> None:
        negative = case.meta is not None and case.meta.is_negative_at(ParameterLocation.BODY)
        if safety.allow_writes and case.method.upper() not in READ_METHODS and not negative:
            case.body = safety.prefixed(case.body)

    original = engine_context.make_session

    def make_session(cfg: Any, *, operation: Any = None) -> requests.Session:
        session = original(cfg, operation=operation)
        if loopback:
            # Loopback never goes through a proxy, and reading the proxy variables on every request
            # costs ~3% of a mock run; off loopback the environment's proxies are honoured.
            session.trust_env = False
        adapter = GuardedAdapter(safety, throttle)  # one per session: closing a session closes its pool
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    contracts_registry.__name__ = CHECK_NAME
    schemathesis.check(contracts_registry)
    GLOBAL_HOOK_DISPATCHER.register_hook_with_name(before_call, "before_call")
    GLOBAL_HOOK_DISPATCHER.register_hook_with_name(filter_failure, "filter_failure")
    engine_context.make_session = make_session  # type: ignore[assignment]
    try:
        yield
    finally:
        engine_context.make_session = original
        GLOBAL_HOOK_DISPATCHER.unregister(before_call)
        GLOBAL_HOOK_DISPATCHER.unregister(filter_failure)
        CHECKS.unregister(CHECK_NAME)


def _caused_by(error: BaseException | None, kind: type[BaseException]) -> bool:
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, kind):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def _pointer(failure: Any) -> str:
    path = getattr(failure, "instance_path", None)
    return join_pointer("", *path) if isinstance(path, (list, tuple)) else ""


@dataclass
class Outcome:
    """What the engine's events say: schemathesis's failures, incidents, how the run ended."""

    labels: dict[str, str]
    findings: dict[tuple[Any, ...], Finding] = field(default_factory=dict)
    incidents: list[Incident] = field(default_factory=list)
    stop_reason: str = "completed"
    fatal: str | None = None
    exercised: dict[str, set[str]] = field(default_factory=dict)
    """Operation id → schemathesis checks that ran (passed or failed) on at least one of its responses."""
    planned: int = 0
    """Operations the run selected (the size of a unit phase)."""
    errors: list[str] = field(default_factory=list)
    """Scenarios schemathesis could not run to their end (its non-fatal errors): work not done."""
    cut: list[str] = field(default_factory=list)
    """Phases that ended interrupted."""
    phase: str = ""
    operation: str | None = None
    phase_total: int | None = None
    phase_done: int = 0

    def feed(self, event: Any) -> None:
        from schemathesis.engine import events as ev

        if isinstance(event, ev.PhaseStarted):
            self.phase = str(event.phase.name.value)
            self.operation, self.phase_done = None, 0
            only = event.operations
            self.phase_total = len(only) if only is not None else self.planned
            if self.phase not in ("examples", "coverage", "fuzzing"):
                self.phase_total = None
        elif isinstance(event, (ev.ScenarioStarted, ev.FuzzScenarioStarted)):
            label = getattr(event, "label", None)
            self.operation = self.labels.get(str(label), self.operation) if label else self.operation
        if isinstance(event, (ev.ScenarioFinished, ev.FuzzScenarioFinished)):
            self.phase_done += 1
            self._exercised(event.recorder)
            self._failures(event.recorder)
        elif isinstance(event, ev.RateLimitRetry):
            self.incidents.append(Incident("rate-limited", f"{event.operation}: waited {event.delay:.1f}s"))
        elif isinstance(event, ev.NonFatalError):
            if _caused_by(event.value, WriteBlocked) or _caused_by(event.value, requests.RequestException):
                return  # the guard lists what it stopped; the throttle, what failed at the transport
            info = event.info
            message = f"{event.label}: {info.title}: {str(info.message)[:200]}"
            self.errors.append(message)
            self.incidents.append(Incident("error", message, self.labels.get(event.label)))
        elif isinstance(event, ev.PhaseFinished):
            if str(event.status) == "interrupted":
                self.cut.append(str(event.phase.name.value))
        elif isinstance(event, ev.FatalError):
            self.fatal = f"{event.exception.__class__.__name__}: {str(event.exception)[:200]}"
        elif isinstance(event, ev.EngineFinished):
            self.stop_reason = str(event.stop_reason)

    @property
    def undone(self) -> list[str]:
        """One line per kind of planned work schemathesis did not do."""
        lines = [f"the {phase} phase was interrupted" for phase in dict.fromkeys(self.cut)]
        if self.errors:
            lines.append(
                f"schemathesis could not run {len(self.errors)} scenario(s) to their end (first: {self.errors[0]})"
            )
        return lines

    def _exercised(self, recorder: Any) -> None:
        for case_id, nodes in recorder.checks.items():
            node = recorder.cases.get(case_id)
            operation = self.labels.get(node.value.operation.label) if node is not None else None
            if operation is None:
                continue
            ran = {n.name for n in nodes if n.name != CHECK_NAME and str(n.status) in ("success", "failure")}
            self.exercised.setdefault(operation, set()).update(BUILTIN_PREFIX + name for name in ran)

    def _failures(self, recorder: Any) -> None:
        for case_id, nodes in recorder.checks.items():
            response = recorder.find_response(case_id=case_id)
            status = None if response is None else response.status_code
            for node in nodes:
                if node.name == CHECK_NAME or node.failure_info is None or str(node.status) != "failure":
                    continue
                failure = node.failure_info.failure
                operation = self.labels.get(str(failure.operation), str(failure.operation))
                if status in RETRY_STATUSES:
                    continue  # the throttle reported it; a gateway hiccup is not schemathesis's finding either
                first = (failure.message or "").strip().splitlines()
                finding = Finding(
                    BUILTIN_PREFIX + node.name,
                    f"{failure.title}: {first[0]}" if first else str(failure.title),
                    operation=operation,
                    pointer=_pointer(failure),
                    status=status,
                    extra={"curl": node.failure_info.code_sample, "code": getattr(failure, "code", "")},
                )
                self.findings.setdefault((finding.key, failure.title), finding)
