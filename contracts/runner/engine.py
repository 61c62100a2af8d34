"""schemathesis's phases of a run: our check, guard and throttle installed; its events digested.

With ``--workers N`` against loopback the coverage phase (and the fuzzing phase with a third) runs
in a process of its own beside the others (:mod:`.shard`); otherwise every phase runs in this
one, with N schemathesis worker threads.
"""

from __future__ import annotations

import dataclasses
import math

from contracts.runner import _schemathesis as glue
from contracts.runner import shard
from contracts.runner.collect import Collector
from contracts.runner.plan import SCHEMATHESIS_PHASES, Plan
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
    if shard.shardable(spec, settings, plan, loopback, throttle.rate):
        return _sharded(spec, settings, plan, base_url, headers, collector, safety, throttle, live)
    return _engine(spec, settings, plan, base_url, headers, loopback, collector, safety, throttle, live)


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
) -> glue.Outcome:
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


def _sharded(
    spec: Spec,
    settings: RunSettings,
    plan: Plan,
    base_url: str,
    headers: dict[str, str],
    collector: Collector,
    safety: Safety,
    throttle: Throttle,
    live: Live,
) -> glue.Outcome:
    """Some phases in processes of their own, the others here, at the same time."""
    mine, theirs = shard.split(plan.phases, settings.workers)
    remaining = throttle.budget.remaining()
    budget = None if math.isinf(remaining) else max(remaining, 0.001)
    others = [
        shard.Share(
            shard.Job(
                spec_path=str(spec.path),
                settings=settings,
                phases=phases,
                base_url=base_url,
                headers=headers,
                prefix=safety.prefix,
                budget=budget,
            ),
            collector,
        )
        for phases in theirs
    ]

    def stop() -> None:
        for other in others:
            other.stop()

    throttle.breaker.on_trip.append(stop)
    one = dataclasses.replace(settings, workers=1)
    try:
        if any(p in SCHEMATHESIS_PHASES for p in mine):
            here = shard.restricted(plan, mine)
            outcome = _engine(spec, one, here, base_url, headers, True, collector, safety, throttle, live)
        else:
            outcome = glue.Outcome({op.label: op.operation_id for op in spec.operations})
    finally:
        for other in others:
            other.wait()
    for other in others:
        if other.done is not None:
            shard.merge(outcome, other.done, throttle, safety)
        if other.error is not None and not throttle.breaker.tripped:  # a tripped breaker stopped it
            outcome.fatal = outcome.fatal or other.error
    return outcome
