"""The report directory of a contract run: ``junit.xml``, ``report.json``, ``summary.md``,
``coverage.json`` and ``report.html``.

:func:`prepare` runs before the first request: a report that cannot be written is exit 2 at once,
not after a long run whose results would be lost.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from contracts.errors import UsageError
from contracts.report import Reporter
from contracts.report.coverage import Coverage, CoverageReporter
from contracts.report.html import HtmlReporter
from contracts.report.json_report import JsonReporter
from contracts.report.junit import JunitReporter
from contracts.report.markdown import MarkdownReporter

FILES = ("junit.xml", "report.json", "summary.md", "coverage.json", "report.html")


def prepare(directory: Path) -> Path:
    """Create ``directory`` and prove every report file can be written there, or raise UsageError."""
    hint = "choose a writable --report directory"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            path = directory / name
            if path.is_dir() or (path.exists() and not os.access(path, os.W_OK)):
                raise UsageError(f"cannot write the report {path}: it is a directory or read-only", hint=hint)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".contracts-", delete=True):
            pass
    except OSError as exc:
        raise UsageError(
            f"cannot write reports to {directory}: {exc.strerror or exc.__class__.__name__}", hint=hint
        ) from None
    return directory


def reporters(directory: Path, coverage: Coverage) -> list[Reporter]:
    """One reporter per file of ``directory`` (see :func:`prepare`)."""
    directory.mkdir(parents=True, exist_ok=True)
    return [
        JunitReporter(directory / "junit.xml"),
        JsonReporter(directory / "report.json"),
        MarkdownReporter(directory / "summary.md", coverage.markdown),
        CoverageReporter(directory / "coverage.json", coverage),
        HtmlReporter(directory / "report.html", coverage),
    ]
