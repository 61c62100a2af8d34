"""``junit.xml`` for CI: one test case per operation x check; failures carry the findings.

Operations the run left out (writes in a read-only run) and operations that never answered are
``skipped`` with the reason, so a green suite never hides an untested operation. Infrastructure
incidents go to the suite's ``system-err``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from contracts.findings import Finding


class JunitReporter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.meta: dict[str, Any] = {}
        self.failures: dict[tuple[str, str], list[Finding]] = defaultdict(list)

    def start(self, meta: dict[str, Any]) -> None:
        self.meta = meta

    def handle(self, finding: Finding) -> None:
        self.failures[(finding.operation or "-", finding.check)].append(finding)

    def finish(self, summary: dict[str, Any]) -> None:
        checks = list(dict.fromkeys([*self.meta.get("checks", []), *(c for _, c in self.failures)]))
        planned = list(self.meta.get("operations_planned", []))
        skipped = list(self.meta.get("operations_skipped", []))
        operations = list(dict.fromkeys([*planned, *skipped, *(o for o, _ in self.failures)]))
        tested = set(summary.get("operations", []))
        suite = ET.Element("testsuite", name="contracts")
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for operation in operations:
            for check in checks:
                counts["tests"] += 1
                case = ET.SubElement(suite, "testcase", classname=operation, name=check)
                found = self.failures.get((operation, check))
                if found:
                    counts["failures"] += 1
                    failure = ET.SubElement(case, "failure", message=found[0].message, type=check)
                    failure.text = "\n\n".join(_describe(f) for f in found)
                elif operation in skipped:
                    counts["skipped"] += 1
                    ET.SubElement(
                        case, "skipped", message="write operation: read-only run (use --allow-writes)"
                    )
                elif operation not in tested:
                    counts["skipped"] += 1
                    ET.SubElement(case, "skipped", message="no response was judged for this operation")
        suite.attrib.update({k: str(v) for k, v in counts.items()})
        suite.set("time", str(summary.get("duration_seconds", 0)))
        incidents = summary.get("infrastructure", [])
        if incidents:
            err = ET.SubElement(suite, "system-err")
            err.text = "\n".join(f"[{i['kind']}] {i['message']}" for i in incidents)
        root = ET.Element("testsuites", {k: str(v) for k, v in counts.items()})
        root.append(suite)
        ET.indent(root)
        ET.ElementTree(root).write(self.path, encoding="utf-8", xml_declaration=True)


def _describe(finding: Finding) -> str:
    lines = [f"{finding.status or '-'} {finding.pointer or '/'}: {finding.message}"]
    if finding.spec_pointer:
        lines.append(f"spec: {finding.spec_pointer}")
    if finding.extra.get("curl"):
        lines.append(f"reproduce: {finding.extra['curl']}")
    return "\n".join(lines)
