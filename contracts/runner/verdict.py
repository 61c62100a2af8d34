"""The verdict of a run: what was judged, against what stood in the way.

The rules (README, "Verdicts"), in order:

1. A violation of error severity was judged and is real: exit 1, whatever else happened (what could
   not be judged is still listed, as a warning).
2. Infrastructure trouble — the target unreachable or refusing the credentials, a request lost to the
   transport (reset, truncated body, timeout) or to a "not now" (429/502/503/504) that outlasted its
   retries and ``Retry-After``, the engine stopping early, nothing judged at all — is exit 2. Never 0
   and never a violation; ``--allow-incomplete`` does not change it.
3. A selected operation without a single judged response, a run cut short by its time budget, or any
   other work planned and not done (a targeted probe not sent, a schemathesis scenario that errored, a
   phase or engine that stopped early) is an incomplete run: exit 2, one line each, unless
   ``allow_incomplete`` turns it into a warning. A coverage figure is never the only word on lost work.
4. A coverage bar (``--min-coverage``) the run did not reach is exit 1 with a one-line reason,
   as a violation is (what was judged is true; it is not enough).
5. Otherwise the run is conformant: exit 0.

Nothing else decides an exit code: the runner hands its counts and one-line problems to
:func:`decide`, and :func:`problems` turns what stood in the way into those lines.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from contracts.errors import ExitCode

if TYPE_CHECKING:
    from contracts.runner import targeted as targeted_phase
    from contracts.runner._schemathesis import Outcome
    from contracts.runner.throttle import Throttle

LABELS = {ExitCode.OK: "conformant", ExitCode.FINDINGS: "violations", ExitCode.ERROR: "could not judge"}
LISTED = 12
"""Unjudged operations named in the one-line reason; the reports list them all."""


@dataclass(frozen=True)
class Verdict:
    code: ExitCode
    reason: str = ""
    """Why the run could not judge (exit 2); empty otherwise."""
    unjudged: tuple[str, ...] = ()
    """Selected operations that received no judged response."""
    warnings: tuple[str, ...] = ()
    """What was not judged although the verdict stands (exit 0 with --allow-incomplete, or exit 1)."""
    causes: tuple[str, ...] = ()
    """What stood in the way (infrastructure trouble, the budget), without the list of operations."""
    gate: tuple[str, ...] = ()
    """Coverage bars the run did not reach (exit 1 when nothing else is wrong), one line each."""

    @property
    def label(self) -> str:
        return LABELS[self.code]

    @property
    def complete(self) -> bool:
        return not self.unjudged and not self.reason and not self.warnings


def unjudged_line(unjudged: Sequence[str], planned: int) -> str:
    names = ", ".join(unjudged[:LISTED]) + (
        f", … {len(unjudged) - LISTED} more" if len(unjudged) > LISTED else ""
    )
    return f"{len(unjudged)} of {planned} selected operation(s) got no judged response: {names}"


def decide(
    *,
    violations: int,
    responses: int,
    planned: Sequence[str],
    judged: Collection[str],
    infrastructure: Sequence[str],
    incomplete: Sequence[str] = (),
    allow_incomplete: bool = False,
    gate: Sequence[str] = (),
) -> Verdict:
    """The verdict from the counts; ``infrastructure`` and ``incomplete`` are one-line problems."""
    unjudged = tuple(op for op in planned if op not in judged)
    infra = list(infrastructure)
    if responses == 0 and not infra:
        infra.append("no response was received: nothing was judged")
    partial = list(incomplete) + ([unjudged_line(unjudged, len(planned))] if unjudged else [])
    causes = tuple(infra + list(incomplete))
    bars = tuple(gate)
    if violations:
        return Verdict(
            ExitCode.FINDINGS, unjudged=unjudged, warnings=tuple(infra + partial), causes=causes, gate=bars
        )
    if infra:
        return Verdict(ExitCode.ERROR, "; ".join(infra + partial), unjudged, causes=causes, gate=bars)
    if partial and not allow_incomplete:
        return Verdict(ExitCode.ERROR, "; ".join(partial), unjudged, causes=causes, gate=bars)
    code = ExitCode.FINDINGS if bars else ExitCode.OK
    return Verdict(code, unjudged=unjudged, warnings=tuple(partial), causes=causes, gate=bars)


LOST_KINDS = frozenset({"transport", "gave-up", "unavailable"})
EARLY_STOPS = frozenset({"failure_limit", "max_time"})
"""schemathesis stop reasons that leave planned cases unsent (its ``StopReason``, as text)."""


def problems(
    failure: str | None,
    outcome: Outcome | None,
    throttle: Throttle,
    targeted: targeted_phase.Outcome | None = None,
) -> tuple[list[str], list[str]]:
    """(infrastructure trouble, incompleteness) of a run, each one line.

    Work planned and not done is incomplete even where every operation got some judged response: a
    schemathesis scenario that errored, a phase or an engine that stopped early, targeted probes not sent.
    """
    infrastructure: list[str] = []
    incomplete: list[str] = []
    if failure is not None:
        infrastructure.append(failure)
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
        if outcome.stop_reason in EARLY_STOPS and not breaker.tripped:
            incomplete.append(f"schemathesis stopped before its end ({outcome.stop_reason})")
        if not breaker.tripped:
            incomplete.extend(outcome.undone)
    undone = targeted.undone() if targeted is not None else None
    if undone and not breaker.tripped:
        incomplete.append(undone)
    return infrastructure, incomplete
