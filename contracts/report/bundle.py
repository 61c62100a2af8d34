"""The report directory of a contract run: ``junit.xml``, ``report.json``, ``summary.md``, ``coverage.json``."""

from __future__ import annotations

from pathlib import Path

from contracts.report import Reporter
from contracts.report.coverage import Coverage, CoverageReporter
from contracts.report.json_report import JsonReporter
from contracts.report.junit import JunitReporter
from contracts.report.markdown import MarkdownReporter

FILES = ("junit.xml", "report.json", "summary.md", "coverage.json")


def reporters(directory: Path, coverage: Coverage) -> list[Reporter]:
    """One reporter per file of ``directory`` (created if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    return [
        JunitReporter(directory / "junit.xml"),
        JsonReporter(directory / "report.json"),
        MarkdownReporter(directory / "summary.md", coverage.markdown),
        CoverageReporter(directory / "coverage.json", coverage),
    ]
