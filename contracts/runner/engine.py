"""schemathesis's phases of a run: our check, guard and throttle installed; its events digested."""

from __future__ import annotations

from contracts.runner import _schemathesis as glue
from contracts.runner.collect import Collector
from contracts.runner.plan import Plan
from contracts.runner.progress import Live
from contracts.runner.safety import Safety
from contracts.runner.settings import RunSettings
from contracts.runner.throttle import Throttle
from contracts.spec import Spec


def run_schemathesis(
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
) -> glue.Outcome:
    """Run the planned schemathesis phases; every response goes to ``collector``."""
    from schemathesis.engine import from_schema

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
    with glue.installed(collector, safety, throttle, labels, loopback=loopback):
        stream = from_schema(glue.load(spec, sconfig)).execute()
        throttle.breaker.on_trip.append(stream.stop)
        for event in stream:
            outcome.feed(event)
    live.engine = None
    return outcome
