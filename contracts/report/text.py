"""The console summary of a run (rich): what ran, violations by operation and check with a curl
line each, infrastructure incidents, and the verdict with its reason.

Nothing from the run is read as rich markup (a message may hold ``[brackets]``), and lines are
never wrapped, so a curl line stays one copy-pasteable line.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rich.console import Console
from rich.text import Text

from contracts.findings import Finding
from contracts.report import skipped_lines

SHOWN = 5
"""Findings printed per (operation, check); the reports have them all."""
STYLE = {"conformant": "bold green", "violations": "bold red", "could not judge": "bold yellow"}


class TextReporter:
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False, soft_wrap=True)
        self.meta: dict[str, Any] = {}
        self.groups: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))

    def _line(self, *parts: tuple[str, str] | str) -> None:
        self.console.print(Text.assemble(*parts), soft_wrap=True, highlight=False)

    def start(self, meta: dict[str, Any]) -> None:
        self.meta = meta
        mode = "writes allowed" if meta.get("allow_writes") else "read-only"
        self._line(
            ("contracts run", "bold"), f" → {meta.get('base_url')} ({mode}, auth: {meta.get('auth', 'none')})"
        )
        self._line(
            f"phases {', '.join(meta.get('phases', []))} · {len(meta.get('operations_planned', []))} operation(s)"
            f" · {len(meta.get('checks', []))} check(s) · max examples {meta.get('max_examples')}"
            + (f" · seed {meta['seed']}" if meta.get("seed") is not None else "")
        )
        if meta.get("operations_skipped"):
            self._line(
                ("not run (writes, read-only run): ", "dim"), (", ".join(meta["operations_skipped"]), "dim")
            )

    def handle(self, finding: Finding) -> None:
        self.groups[finding.operation or "-"][finding.check].append(finding)

    def finish(self, summary: dict[str, Any]) -> None:
        for operation in sorted(self.groups):
            self.console.print()
            self._line((operation, "bold"))
            for check, found in sorted(self.groups[operation].items()):
                for f in found[:SHOWN]:
                    warning = f.severity != "error"
                    self._line(
                        ("  ! " if warning else "  ✗ ", "yellow" if warning else "red"),
                        (check, "bold yellow" if warning else "bold red"),
                        f" {f.status or '-'} {f.pointer or '/'}: {f.message}",
                    )
                    if f.extra.get("curl"):
                        self._line(("      " + str(f.extra["curl"]), "dim"))
                if len(found) > SHOWN:
                    self._line((f"    … {len(found) - SHOWN} more {check} finding(s) in report.json", "dim"))
        incidents = summary.get("infrastructure", [])
        if incidents:
            self.console.print()
            self._line((f"infrastructure ({len(incidents)}): not contract violations", "yellow"))
            for incident in incidents[:20]:
                self._line(f"  ! {incident['kind']}: {incident['message']}")
            if len(incidents) > 20:
                self._line((f"  … {len(incidents) - 20} more in report.json", "dim"))
        self.console.print()
        for line in skipped_lines(summary):
            self._line(("skipped: ", "yellow"), line)
        for warning in summary.get("warnings", []):
            self._line(("warning: ", "yellow"), warning)
        verdict = str(summary.get("verdict"))
        self._line(
            (verdict, STYLE.get(verdict, "bold")),
            " (incomplete, allowed)" if verdict == "conformant" and not summary.get("complete", True) else "",
            f": {summary.get('violations', 0)} violation(s)",
            f", {summary['warning_findings']} warning(s)" if summary.get("warning_findings") else "",
            f", {summary.get('responses', 0)} response(s) judged from "
            f"{summary.get('operations_tested', 0)}/{summary.get('operations_planned', 0)} selected operation(s)"
            f", {summary.get('checks_exercised', 0)}/{summary.get('checks_possible', 0)} operation-check pairs exercised"
            f" in {summary.get('duration_seconds', 0)} s",
            f", cleaned up {len(summary['cleaned_up'])} created resource(s)"
            if summary.get("cleaned_up")
            else "",
        )
        if summary.get("reason"):
            self._line(("reason: ", "yellow"), str(summary["reason"]))
