"""Reporters consume a stream of findings; each output format is one module here.

Redaction happens once, in :mod:`contracts.report.redact`, before any reporter sees data, so a
new format cannot leak a credential. A reporter implements three methods.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Protocol

from contracts.findings import Finding


class Reporter(Protocol):
    """``start`` once, ``handle`` per finding (already redacted), ``finish`` once with a summary."""

    def start(self, meta: dict[str, Any]) -> None: ...

    def handle(self, finding: Finding) -> None: ...

    def finish(self, summary: dict[str, Any]) -> None: ...


class FanOut:
    """Send every event to several reporters."""

    def __init__(self, reporters: Sequence[Reporter]) -> None:
        self.reporters = list(reporters)

    def start(self, meta: dict[str, Any]) -> None:
        for reporter in self.reporters:
            reporter.start(meta)

    def handle(self, finding: Finding) -> None:
        for reporter in self.reporters:
            reporter.handle(finding)

    def finish(self, summary: dict[str, Any]) -> None:
        for reporter in self.reporters:
            reporter.finish(summary)


def skipped_lines(summary: dict[str, Any]) -> list[str]:
    """The skipped operations grouped by why, each named: what was not judged is never hidden."""
    groups: dict[str, list[str]] = defaultdict(list)
    for item in summary.get("operations_skipped", []):
        groups[item["reason"]].append(item["operation"])
    return [f"{len(ops)} operation(s), {reason}: {', '.join(ops)}" for reason, ops in groups.items()]
