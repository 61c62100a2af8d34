"""Fan a finished run out to the report formats (all data already redacted by the collector)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contracts import checks
from contracts.report import FanOut, Reporter
from contracts.report.json_report import JsonReporter
from contracts.report.junit import JunitReporter
from contracts.report.markdown import MarkdownReporter
from contracts.spec import Spec

if TYPE_CHECKING:
    from contracts.runner import RunResult


def summarize(result: RunResult) -> dict[str, Any]:
    verdict = {0: "conformant", 1: "violations", 2: "could not test"}[int(result.exit_code)]
    return {
        "verdict": verdict,
        "exit_code": int(result.exit_code),
        "violations": len(result.findings),
        "responses": result.responses,
        "operations_tested": len(result.operations),
        "infrastructure": len(result.infrastructure),
        "infrastructure_events": result.infrastructure,
        "cleaned_up": result.cleaned,
    }


def write_reports(spec: Spec, result: RunResult, directory: Path | None) -> dict[str, Any]:
    summary = summarize(result)
    if directory is None:
        return summary
    directory.mkdir(parents=True, exist_ok=True)
    meta = {
        "base_url": result.base_url,
        "allow_writes": result.allow_writes,
        "operations": len(spec.operations),
    }
    names = [c.name for c in checks.select()]
    reporters: list[Reporter] = [
        JsonReporter(directory / "report.json"),
        JunitReporter(directory / "junit.xml", [op.operation_id for op in spec.operations], names),
        MarkdownReporter(directory / "summary.md", result.coverage.markdown),
    ]
    fan = FanOut(reporters)
    fan.start(meta)
    for finding in result.findings:
        fan.handle(finding)
    fan.finish(summary)
    (directory / "coverage.json").write_text(
        json.dumps(result.coverage.table(), indent=2) + "\n", encoding="utf-8"
    )
    return summary
