"""``junit.xml`` for CI: one test case per operation x check, failures carry the findings."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from contracts.findings import Finding


class JunitReporter:
    def __init__(self, path: Path, operations: list[str], checks: list[str]) -> None:
        self.path, self.operations, self.checks = path, operations, checks
        self.failures: dict[tuple[str, str], list[Finding]] = defaultdict(list)

    def start(self, meta: dict[str, Any]) -> None:
        return None

    def handle(self, finding: Finding) -> None:
        self.failures[(finding.operation or "-", finding.check)].append(finding)

    def finish(self, summary: dict[str, Any]) -> None:
        checks = sorted(set(self.checks) | {c for _, c in self.failures})
        operations = sorted(set(self.operations) | {o for o, _ in self.failures})
        suite = ET.Element(
            "testsuite",
            name="contracts",
            tests=str(len(operations) * len(checks)),
            failures=str(len(self.failures)),
        )
        for operation in operations:
            for check in checks:
                case = ET.SubElement(suite, "testcase", classname=operation, name=check)
                found = self.failures.get((operation, check))
                if found:
                    failure = ET.SubElement(case, "failure", message=found[0].message, type=check)
                    failure.text = "\n".join(
                        f"{f.pointer or '/'}: {f.message}\n  {f.extra.get('curl', '')}" for f in found
                    )
        root = ET.Element("testsuites")
        root.append(suite)
        ET.ElementTree(root).write(self.path, encoding="utf-8", xml_declaration=True)
