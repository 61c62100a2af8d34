"""``junit.xml`` for CI: one test case per operation x check; failures carry the findings.

A test case passes only if its check ran on at least one response of its operation and found
nothing. Everything else not failed is ``<skipped>`` with the reason: a write operation in a
read-only run, a selected operation that never got a judged response (and why), or a check that
never applied to any of the operation's responses (no error response, no JSON body, ...). So a green
suite counts only what was judged. Infrastructure incidents go to the suite's ``system-err``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET

from contracts.findings import Finding


class JunitReporter:
    """``target``: the file to write, or a text stream (``contracts lint|diff --format junit`` to stdout)."""

    def __init__(self, target: Path | IO[str], *, suite: str = "contracts") -> None:
        self.path, self.suite = target, suite
        self.meta: dict[str, Any] = {}
        self.failures: dict[tuple[str, str], list[Finding]] = defaultdict(list)

    def start(self, meta: dict[str, Any]) -> None:
        self.meta = meta

    def handle(self, finding: Finding) -> None:
        self.failures[(finding.operation or "-", finding.check)].append(finding)

    def finish(self, summary: dict[str, Any]) -> None:
        checks = list(dict.fromkeys([*self.meta.get("checks", []), *(c for _, c in self.failures)]))
        planned = list(self.meta.get("operations_planned", []))
        skipped = {s["operation"]: s["reason"] for s in summary.get("operations_skipped", [])}
        skipped.update({op: WRITE for op in self.meta.get("operations_skipped", []) if op not in skipped})
        operations = list(dict.fromkeys([*planned, *skipped, *(o for o, _ in self.failures)]))
        judged = summary.get("operations_judged", {})
        suite = ET.Element("testsuite", name=self.suite)
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for operation in operations:
            ran = set(judged.get(operation, {}).get("checks", []))
            for check in checks:
                counts["tests"] += 1
                case = ET.SubElement(suite, "testcase", classname=operation, name=check)
                found = self.failures.get((operation, check), [])
                errors = [f for f in found if f.severity == "error"]
                if errors:
                    counts["failures"] += 1
                    failure = ET.SubElement(case, "failure", message=errors[0].message, type=check)
                    failure.text = "\n\n".join(_describe(f) for f in errors)
                    continue
                if found:  # warnings are listed, never failed: they do not change the verdict
                    ET.SubElement(case, "system-out").text = "\n\n".join(
                        f"warning: {_describe(f)}" for f in found
                    )
                    continue
                reason = skipped.get(operation)
                if reason is None and operation not in judged:
                    reason = "no response was judged for this operation"
                if reason is None and check not in ran:
                    reason = f"not exercised: {not_exercised(check)}"
                if reason is not None:
                    counts["skipped"] += 1
                    ET.SubElement(case, "skipped", message=reason)
        suite.attrib.update({k: str(v) for k, v in counts.items()})
        suite.set("time", str(summary.get("duration_seconds", 0)))
        incidents = summary.get("infrastructure", [])
        if incidents or summary.get("reason"):
            err = ET.SubElement(suite, "system-err")
            lines = [f"could not judge: {summary['reason']}"] if summary.get("reason") else []
            err.text = "\n".join(lines + [f"[{i['kind']}] {i['message']}" for i in incidents])
        root = ET.Element("testsuites", {k: str(v) for k, v in counts.items()})
        root.append(suite)
        ET.indent(root)
        if isinstance(self.path, Path):
            ET.ElementTree(root).write(self.path, encoding="utf-8", xml_declaration=True)
        else:
            self.path.write("<?xml version='1.0' encoding='utf-8'?>\n" + ET.tostring(root, "unicode") + "\n")


WRITE = "write operation: not sent in a read-only run (use --allow-writes)"
NEEDS = {
    "json": "a JSON body",
    "documented_status": "a documented status",
    "success": "a 2xx response",
    "error": "an error response (4xx/5xx)",
}


def not_exercised(check: str) -> str:
    """Why a check can have run on none of an operation's responses, from its declared preconditions."""
    from contracts import checks as registry

    if check.startswith("schemathesis."):
        return "schemathesis did not run this check on any response of this operation"
    found = registry.REGISTRY.get(check)
    needs = [NEEDS[r] for r in sorted(found.requires)] if found is not None else []
    if not needs:
        return "no response of that kind"
    return "no response of that kind (it needs " + " and ".join(needs) + ")"


def _describe(finding: Finding) -> str:
    lines = [f"{finding.status or '-'} {finding.pointer or '/'}: {finding.message}"]
    if finding.spec_pointer:
        lines.append(f"spec: {finding.spec_pointer}")
    if finding.extra.get("curl"):
        lines.append(f"reproduce: {finding.extra['curl']}")
    return "\n".join(lines)
