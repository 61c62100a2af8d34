"""What the proxy saw, de-duplicated: one entry per (operation, side, check, spec pointer).

Each distinct violation keeps its count, the first and last time it was seen and one redacted
example exchange (the first). Unmatched requests, mocked and refused exchanges and upstream
trouble are counted beside it; distinct keys are capped so a long session stays in bounded memory.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from contracts.findings import Finding
from contracts.report.coverage import Coverage
from contracts.request_validation import side_of
from contracts.runner.throttle import Incident

MAX_DISTINCT = 10_000
"""Distinct violations and unmatched request lines kept; past that they are only counted."""

Key = tuple[str, str, str, str]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Seen:
    finding: Finding
    count: int
    first: str
    last: str
    example: dict[str, Any]


@dataclass
class Ledger:
    coverage: Coverage
    distinct: dict[Key, Seen] = field(default_factory=dict)
    exchanges: int = 0
    judged: int = 0
    """Upstream responses run through the check registry."""
    violating: int = 0
    """Exchanges with at least one violation."""
    mocked: int = 0
    refused: int = 0
    upstream_answers: int = 0
    upstream_failures: int = 0
    unmatched: Counter[str] = field(default_factory=Counter)
    operations: set[str] = field(default_factory=set)
    incidents: Counter[str] = field(default_factory=Counter)
    """Infrastructure messages by text (a dead upstream fails every request the same way)."""
    overflow: int = 0
    har_failures: int = 0
    """Exchanges whose HAR entry could not be written (the recording asked for is incomplete)."""
    started: float = field(default_factory=time.monotonic)
    on_new: Callable[[str], None] | None = None

    def violation(self, finding: Finding, example: dict[str, Any]) -> None:
        key = (finding.operation or "-", side_of(finding), finding.check, finding.spec_pointer)
        stamp = now_iso()
        seen = self.distinct.get(key)
        if seen is not None:
            seen.count += 1
            seen.last = stamp
            return
        if len(self.distinct) >= MAX_DISTINCT:
            self.overflow += 1
            return
        self.distinct[key] = Seen(finding, 1, stamp, stamp, example)
        if self.on_new is not None:
            self.on_new(
                f"new {side_of(finding)} violation: {finding.operation} {finding.check} "
                f"{finding.pointer or '/'}: {finding.message}"
            )

    def miss(self, method: str, path: str) -> None:
        line = f"{method} {path}"
        if line not in self.unmatched and len(self.unmatched) >= MAX_DISTINCT:
            self.overflow += 1
            return
        self.unmatched[line] += 1
        if self.unmatched[line] == 1 and self.on_new is not None:
            self.on_new(f"unmatched: {line} matches no operation of the spec")

    def incident(self, message: str) -> None:
        if message in self.incidents or len(self.incidents) < MAX_DISTINCT:
            self.incidents[message] += 1

    def findings(self) -> list[Finding]:
        """The distinct violations, each carrying side, count, first/last seen and its example."""
        out = []
        for (_, side, _, _), seen in sorted(self.distinct.items()):
            extra = {
                **seen.finding.extra,
                "side": side,
                "curl": seen.example.get("curl"),
                "count": seen.count,
                "first_seen": seen.first,
                "last_seen": seen.last,
                "example": seen.example,
            }
            out.append(dataclasses.replace(seen.finding, extra=extra))
        return out

    def infrastructure(self) -> list[Incident]:
        items = [
            Incident("unmatched", f"{line} matches no operation ({n}x)") for line, n in self.unmatched.items()
        ]
        items += [Incident("upstream", f"{message} ({n}x)") for message, n in self.incidents.items()]
        if self.mocked:
            items.append(Incident("mocked", f"{self.mocked} exchange(s) answered by the embedded mock"))
        if self.refused:
            items.append(Incident("refused", f"{self.refused} write(s) refused by --read-only"))
        if self.overflow:
            items.append(Incident("overflow", f"{self.overflow} distinct item(s) past the cap only counted"))
        return items

    def status_line(self) -> str:
        distinct = len(self.distinct)
        total = sum(s.count for s in self.distinct.values())
        parts = [
            f"{self.exchanges} exchange(s)",
            f"{total} violation(s) ({distinct} distinct)",
            f"{sum(self.unmatched.values())} unmatched",
        ]
        if self.mocked:
            parts.append(f"{self.mocked} mocked")
        if self.refused:
            parts.append(f"{self.refused} refused")
        if self.upstream_failures:
            parts.append(f"{self.upstream_failures} upstream failure(s)")
        return " · ".join(parts)
