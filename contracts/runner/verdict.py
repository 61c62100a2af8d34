"""The verdict of a run: what was judged, against what stood in the way.

The rules (README, "Verdicts"), in order:

1. A violation of error severity was judged and is real: exit 1, whatever else happened (what could
   not be judged is still listed, as a warning).
2. Infrastructure trouble — the target unreachable or refusing the credentials, a request lost to the
   transport (reset, truncated body, timeout) or to a "not now" (429/502/503/504) that outlasted its
   retries and ``Retry-After``, the engine stopping early, nothing judged at all — is exit 2. Never 0
   and never a violation; ``--allow-incomplete`` does not change it.
3. A selected operation without a single judged response, or a run cut short by its time budget, is
   an incomplete run: exit 2, listing the operations, unless ``allow_incomplete`` turns it into a
   warning.
4. Otherwise the run is conformant: exit 0.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from contracts.errors import ExitCode

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
) -> Verdict:
    """The verdict from the counts; ``infrastructure`` and ``incomplete`` are one-line problems."""
    unjudged = tuple(op for op in planned if op not in judged)
    infra = list(infrastructure)
    if responses == 0 and not infra:
        infra.append("no response was received: nothing was judged")
    partial = list(incomplete) + ([unjudged_line(unjudged, len(planned))] if unjudged else [])
    causes = tuple(infra + list(incomplete))
    if violations:
        return Verdict(ExitCode.FINDINGS, unjudged=unjudged, warnings=tuple(infra + partial), causes=causes)
    if infra:
        return Verdict(ExitCode.ERROR, "; ".join(infra + partial), unjudged, causes=causes)
    if partial and not allow_incomplete:
        return Verdict(ExitCode.ERROR, "; ".join(partial), unjudged, causes=causes)
    return Verdict(ExitCode.OK, unjudged=unjudged, warnings=tuple(partial), causes=causes)
