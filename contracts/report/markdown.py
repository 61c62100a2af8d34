"""``summary.md``: what ran, the violations grouped by operation and check, and coverage."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from contracts.findings import Finding


class MarkdownReporter:
    def __init__(self, path: Path, coverage_markdown: Any) -> None:
        self.path, self.coverage_markdown = path, coverage_markdown
        self.meta: dict[str, Any] = {}
        self.groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)

    def start(self, meta: dict[str, Any]) -> None:
        self.meta = meta

    def handle(self, finding: Finding) -> None:
        self.groups[(finding.operation or "-", finding.check)].append(finding)

    def finish(self, summary: dict[str, Any]) -> None:
        lines = [
            "# Contract run",
            "",
            f"- target: `{self.meta.get('base_url')}` ({'writes allowed' if self.meta.get('allow_writes') else 'read-only'})",
            f"- verdict: **{summary.get('verdict')}** — {summary.get('violations', 0)} violation(s), "
            f"{summary.get('responses', 0)} response(s) from {summary.get('operations_tested', 0)} operation(s)",
            f"- infrastructure events: {summary.get('infrastructure', 0)}",
            "",
            "## Violations",
            "",
        ]
        if not self.groups:
            lines.append("None.")
        for (operation, check), found in sorted(self.groups.items()):
            lines += [f"### {operation} — `{check}`", ""]
            for f in found[:20]:
                lines.append(f"- `{f.pointer or '/'}` (spec `{f.spec_pointer}`): {f.message}")
                if f.extra.get("curl"):
                    lines.append(f"  - reproduce: `{f.extra['curl']}`")
            lines.append("")
        lines += ["## Coverage", "", self.coverage_markdown(), ""]
        self.path.write_text("\n".join(lines), encoding="utf-8")
