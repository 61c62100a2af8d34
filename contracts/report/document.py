"""Reports about one spec file (``contracts lint``, ``contracts diff``): every format, from Findings only.

A lint finding and a diff change are both a :class:`~contracts.findings.Finding` located at a line
of the spec file, so the same reporters serve both commands, and ``contracts run``: SARIF, GitHub
annotations, JUnit XML and Markdown are the classes of :mod:`contracts.report`; text and JSON are
the one-line-per-finding forms below. ``rules`` maps each rule (check, lint rule, change kind) to its
one-line description.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import IO, TYPE_CHECKING, Literal

from contracts.findings import Finding

if TYPE_CHECKING:
    from contracts.report import Reporter

Format = Literal["text", "json", "sarif", "github", "junit", "markdown"]
FORMATS: tuple[Format, ...] = ("text", "json", "sarif", "github", "junit", "markdown")
LineOf = Callable[[str], int]


def where_of(finding: Finding) -> str:
    """The spec pointer a finding is located at (its rule's, else its own)."""
    return finding.spec_pointer or finding.pointer


def text(out: IO[str], findings: Sequence[Finding], *, uri: str, line_of: LineOf) -> None:
    """``file:line: severity rule pointer: message (hint)``, one line per finding."""
    for f in findings:
        hint = f.extra.get("hint")
        out.write(
            f"{uri}:{line_of(f.pointer)}: {f.severity} {f.check} {f.pointer or '/'}: {f.message}"
            + (f" ({hint})" if hint else "")
            + "\n"
        )


def as_json(out: IO[str], findings: Sequence[Finding], *, uri: str, line_of: LineOf) -> None:
    """A JSON array: each finding's fields, with the file and line it is located at."""
    data = [{**f.to_dict(), "file": uri, "line": line_of(f.pointer)} for f in findings]
    out.write(json.dumps(data, indent=2, default=str) + "\n")


def emit(
    fmt: Format,
    out: IO[str],
    findings: Sequence[Finding],
    *,
    uri: str,
    line_of: LineOf,
    rules: Mapping[str, str],
    title: str,
) -> None:
    """Write ``findings`` about the spec file ``uri`` to ``out`` in ``fmt``; ``title`` names the command."""
    if fmt == "text":
        text(out, findings, uri=uri, line_of=line_of)
    elif fmt == "json":
        as_json(out, findings, uri=uri, line_of=line_of)
    else:
        reporter = _reporter(fmt, out, uri=uri, line_of=line_of, rules=rules, title=title)
        reporter.start({"checks": list(rules), "operations_planned": [uri]})
        for f in findings:
            # JUnit groups by operation: one test case per rule of the file, the operation in the message
            reporter.handle(replace(f, operation=uri) if fmt == "junit" else f)
        reporter.finish({"operations_judged": {uri: {"checks": list(rules)}}, "findings": len(findings)})
    out.flush()


def _reporter(
    fmt: Format, out: IO[str], *, uri: str, line_of: LineOf, rules: Mapping[str, str], title: str
) -> Reporter:
    from contracts.report.github import GithubReporter
    from contracts.report.junit import JunitReporter
    from contracts.report.markdown import DocumentMarkdownReporter
    from contracts.report.sarif import SarifReporter

    if fmt == "sarif":
        return SarifReporter(out, uri=uri, line_of=line_of, rules=rules)
    if fmt == "github":
        return GithubReporter(out, file=uri, line_of=line_of)
    if fmt == "junit":
        return JunitReporter(out, suite=title)
    return DocumentMarkdownReporter(out, uri=uri, line_of=line_of, rules=rules, title=title)
