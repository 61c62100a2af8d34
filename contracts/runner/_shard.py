"""A share of a run's operations in a process of its own (see :mod:`contracts.runner.shard`).

``python -m contracts.runner._shard FD`` reads a pickled :class:`~contracts.runner.shard.Job` on
stdin (the credentials travel there, never as arguments), runs its phases of schemathesis over
every operation, writes each response to file descriptor ``FD`` as it comes and a
:class:`~contracts.runner.shard.Done` last. It judges nothing: the run's process does.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import sys


def main(argv: list[str]) -> int:
    from contracts.exchange import Exchange
    from contracts.report.coverage import Coverage
    from contracts.runner import shard
    from contracts.runner.budget import Budget
    from contracts.runner.cleanup import Cleanup
    from contracts.runner.collect import Collector
    from contracts.runner.engine import run_schemathesis
    from contracts.runner.plan import make_plan
    from contracts.runner.progress import Live
    from contracts.runner.safety import Safety
    from contracts.runner.throttle import Throttle
    from contracts.spec import load_spec

    job: shard.Job = pickle.load(sys.stdin.buffer)
    with os.fdopen(int(argv[0]), "wb") as out:
        send = shard.Sink(out)

        class Forward(Collector):
            def observe(self, exchange: Exchange, curl: str) -> None:
                send(exchange, curl)

        spec = load_spec(job.spec_path)
        settings = dataclasses.replace(job.settings, workers=1)
        plan = shard.restricted(make_plan(spec, settings), job.phases)
        collector = Forward(spec, [], Coverage(spec), Cleanup(spec))
        throttle = Throttle(0.0, budget=Budget(job.budget))
        safety = Safety(settings.allow_writes, prefix=job.prefix)
        live = Live(judged=lambda: 0, violations=lambda: 0)
        outcome = run_schemathesis(
            spec, settings, plan, job.base_url, job.headers, True, collector, safety, throttle, live
        )
        done = shard.Done(
            outcome=outcome,
            sent=throttle.sent,
            lost=throttle.lost,
            first_loss=throttle.first_loss,
            incidents=list(throttle.incidents),
            counts=dict(throttle.counts),
            blocked=list(safety.blocked),
            records=send.sent,
            breaker=(throttle.breaker.reason, throttle.breaker.kind),
        )
        out.write(pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a process by contracts.runner.shard
    sys.exit(main(sys.argv[1:]))
