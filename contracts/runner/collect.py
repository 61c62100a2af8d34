"""Every response of a run, judged by the contracts registry and remembered for the reports.

The collector does not know which library sent the request: it receives an
:class:`~contracts.exchange.Exchange` and its curl line. Findings keep their pointers, the check
that made them and the curl line that reproduces them; a response that only says "not now"
(an undocumented 429/502/503/504) is infrastructure trouble, not a violation.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Any

from contracts import checks
from contracts.exchange import Exchange
from contracts.findings import Finding
from contracts.report.coverage import Coverage
from contracts.runner.cleanup import Cleanup
from contracts.runner.throttle import RETRY_STATUSES
from contracts.spec import Spec


@dataclass
class Collector:
    spec: Spec
    selected: list[checks.Check]
    coverage: Coverage
    cleanup: Cleanup
    strict: bool = False
    """Warnings become errors (``--strict``)."""
    findings: dict[tuple[Any, ...], Finding] = field(default_factory=dict)
    responses: int = 0
    operations: set[str] = field(default_factory=set)
    exercised: dict[str, set[str]] = field(default_factory=dict)
    """Operation id → our checks whose preconditions held for at least one of its responses."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def observe(self, exchange: Exchange, curl: str) -> None:
        """Judge one response (thread-safe: schemathesis may run several workers)."""
        op = self.spec.operation(exchange.operation)
        if exchange.status in RETRY_STATUSES and op.response_key(exchange.status) is None:
            return  # the throttle has recorded it as an incident; it says nothing about the contract
        found = [
            f if f.status is not None else dataclasses.replace(f, status=exchange.status)
            for f in checks.iter_findings(self.spec, exchange, self.selected, strict=self.strict)
        ]
        ctx = checks.CheckContext(self.spec, op, exchange)
        applied = {chk.name for chk in self.selected if chk.applies(ctx)}
        self.cleanup.record(exchange)
        with self._lock:
            self.responses += 1
            self.operations.add(op.operation_id)
            self.exercised.setdefault(op.operation_id, set()).update(applied)
            self.coverage.observe(exchange)
            for finding in found:
                if finding.key not in self.findings:
                    finding.extra.setdefault("curl", curl)
                    self.findings[finding.key] = finding
