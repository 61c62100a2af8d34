"""``report.json``: every violation with run metadata; a stable, documented shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contracts.findings import Finding


class JsonReporter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.meta: dict[str, Any] = {}
        self.findings: list[dict[str, Any]] = []

    def start(self, meta: dict[str, Any]) -> None:
        self.meta = meta

    def handle(self, finding: Finding) -> None:
        self.findings.append(finding.to_dict())

    def finish(self, summary: dict[str, Any]) -> None:
        report = {"version": 1, "run": self.meta, "summary": summary, "violations": self.findings}
        self.path.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
