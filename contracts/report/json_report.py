"""``report.json``: every violation with its reproduction, the run's metadata and its incidents.

The shape is stable (``version``; JSON Schema in ``docs/report.schema.json``, validated by the
tests) and flat enough for ``jq``: each violation carries its check, operation, status, JSON pointer
into the response, pointer into the spec, message, expected and actual values and a curl line; the
summary says what was judged, what was skipped and why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contracts.findings import Finding

VERSION = 1


def violation(finding: Finding) -> dict[str, Any]:
    """One finding as a ``report.json`` violation (curl lifted out of ``extra``)."""
    extra = dict(finding.extra)
    item: dict[str, Any] = {
        "check": finding.check,
        "operation": finding.operation,
        "status": finding.status,
        "pointer": finding.pointer,
        "spec_pointer": finding.spec_pointer,
        "severity": finding.severity,
        "message": finding.message,
        "expected": finding.expected,
        "actual": finding.actual,
        "curl": extra.pop("curl", None),
    }
    if extra:
        item["extra"] = extra
    return item


class JsonReporter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.meta: dict[str, Any] = {}
        self.violations: list[dict[str, Any]] = []

    def start(self, meta: dict[str, Any]) -> None:
        self.meta = meta

    def handle(self, finding: Finding) -> None:
        self.violations.append(violation(finding))

    def finish(self, summary: dict[str, Any]) -> None:
        report = {
            "version": VERSION,
            "run": self.meta,
            "summary": {k: v for k, v in summary.items() if k != "infrastructure"},
            "violations": self.violations,
            "infrastructure": summary.get("infrastructure", []),
        }
        self.path.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
