"""``summary.md``: what ran, the verdict, violations grouped by operation and check, incidents, coverage.

Written for a pull-request comment or a CI job summary (``$GITHUB_STEP_SUMMARY``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from contracts.findings import Finding
from contracts.report import skipped_lines

SHOWN = 10
"""Findings listed per (operation, check); the rest are counted (report.json has them all)."""


class MarkdownReporter:
    def __init__(self, path: Path, coverage_markdown: Callable[[], str] | None = None) -> None:
        self.path, self.coverage_markdown = path, coverage_markdown
        self.meta: dict[str, Any] = {}
        self.groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)

    def start(self, meta: dict[str, Any]) -> None:
        self.meta = meta

    def handle(self, finding: Finding) -> None:
        self.groups[(finding.operation or "-", finding.check)].append(finding)

    def finish(self, summary: dict[str, Any]) -> None:
        meta = self.meta
        mode = "writes allowed" if meta.get("allow_writes") else "read-only"
        lines = [
            "# Contract run",
            "",
            f"**{summary.get('verdict')}** — {summary.get('violations', 0)} violation(s), "
            f"{summary.get('responses', 0)} response(s) judged from {summary.get('operations_tested', 0)}"
            f"/{summary.get('operations_planned', 0)} selected operation(s), "
            f"{summary.get('checks_exercised', 0)}/{summary.get('checks_possible', 0)} operation-check pairs "
            f"exercised, in {summary.get('duration_seconds', 0)} s",
            "",
            f"- target: `{meta.get('base_url')}` ({mode}, auth: {meta.get('auth', 'none')})",
            f"- phases: {', '.join(meta.get('phases', []))}; max examples {meta.get('max_examples')}; "
            f"seed {meta.get('seed') if meta.get('seed') is not None else 'random'}",
            f"- checks: {len(meta.get('checks', []))}",
        ]
        if summary.get("reason"):
            lines.append(f"- **could not judge**: {summary['reason']}")
        lines += [f"- warning: {w}" for w in summary.get("warnings", [])]
        skipped = summary.get("operations_skipped", [])
        lines += ["", f"## Skipped operations ({len(skipped)})", ""]
        lines += [f"- {line}" for line in skipped_lines(summary)] or ["None."]
        if summary.get("cleaned_up"):
            lines.append(f"- cleaned up: {len(summary['cleaned_up'])} created resource(s)")
        lines += ["", "## Violations", ""]
        if not self.groups:
            lines.append("None.")
        for (operation, check), found in sorted(self.groups.items()):
            lines += [f"### {operation} — `{check}` ({len(found)})", ""]
            for f in found[:SHOWN]:
                where = f"`{f.pointer or '/'}`" + (f" (spec `{f.spec_pointer}`)" if f.spec_pointer else "")
                lines.append(f"- {f.status or ''} {where}: {f.message}".replace("-  ", "- "))
                if f.extra.get("curl"):
                    lines += ["", "  ```sh", f"  {f.extra['curl']}", "  ```", ""]
            if len(found) > SHOWN:
                lines.append(f"- … and {len(found) - SHOWN} more in report.json")
            lines.append("")
        incidents = summary.get("infrastructure", [])
        lines += ["## Infrastructure", ""]
        lines += [f"- {i['kind']}: {i['message']}" for i in incidents] or ["None."]
        if self.coverage_markdown is not None:
            lines += ["", "## Coverage", "", self.coverage_markdown()]
        self.path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class DocumentMarkdownReporter:
    """Findings about one spec file (lint, diff) as a Markdown table, for a pull-request comment."""

    def __init__(
        self,
        stream: IO[str],
        *,
        uri: str,
        line_of: Callable[[str], int],
        rules: Mapping[str, str],
        title: str,
    ) -> None:
        self.stream, self.uri, self.line_of, self.rules, self.title = stream, uri, line_of, rules, title
        self.findings: list[Finding] = []

    def start(self, meta: dict[str, Any]) -> None:
        return None

    def handle(self, finding: Finding) -> None:
        self.findings.append(finding)

    def finish(self, summary: dict[str, Any]) -> None:
        errors = sum(f.severity == "error" for f in self.findings)
        verdict = (
            f"{errors} error(s), {len(self.findings) - errors} other finding(s)" if self.findings else "clean"
        )
        lines = [f"# {self.title}", "", f"**{verdict}** in `{self.uri}`", ""]
        if self.findings:
            lines += ["| severity | rule | where | message |", "| --- | --- | --- | --- |"]
        for f in self.findings:
            where = f"`{_cell(f.pointer or '/')}` ({self.uri}:{self.line_of(f.spec_pointer or f.pointer)})"
            hint = f.extra.get("hint")
            message = _cell(f.message + (f" ({hint})" if hint else ""))
            lines.append(f"| {f.severity} | `{f.check}` | {where} | {message} |")
        self.stream.write("\n".join(lines).rstrip("\n") + "\n")
