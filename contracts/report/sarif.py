"""SARIF 2.1.0 for code scanning: lint findings and contract findings alike.

Works from :class:`~contracts.findings.Finding` fields only. A result is located at the spec
pointer (``spec_pointer``, else ``pointer``) of its finding, as a line of the spec file when a
``line_of`` function is given, and carries a fingerprint of its stable key (rule, operation,
pointers) so code scanning follows a finding across line moves.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import IO, Any

from contracts.findings import Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
TOOL = "capillary-contracts"


def message_of(finding: Finding) -> str:
    """The finding's message with its fix hint, if it has one."""
    hint = finding.extra.get("hint")
    return f"{finding.message} ({hint})" if hint else finding.message


def fingerprint(finding: Finding) -> str:
    key = "\x1f".join(str(part) for part in finding.key)
    return hashlib.sha256(key.encode()).hexdigest()[:32]


class SarifReporter:
    """Collects findings and writes one SARIF log on ``finish``.

    ``rules`` maps each rule id to a one-line description (ids seen only in results are added
    with their id as description); ``uri`` is the spec file, relative to the repository root.
    """

    def __init__(
        self,
        stream: IO[str],
        *,
        uri: str,
        line_of: Callable[[str], int] | None = None,
        rules: Mapping[str, str] | None = None,
        version: str | None = None,
    ) -> None:
        self.stream, self.uri, self.line_of, self.version = stream, uri, line_of, version
        self.rules = dict(rules or {})
        self.results: list[dict[str, Any]] = []

    def start(self, meta: dict[str, Any]) -> None:
        return None

    def handle(self, finding: Finding) -> None:
        where = finding.spec_pointer or finding.pointer
        physical: dict[str, Any] = {"artifactLocation": {"uri": self.uri}}
        if self.line_of is not None:
            physical["region"] = {"startLine": max(1, self.line_of(where))}
        properties = {
            "severity": finding.severity,
            **{k: v for k, v in (("operation", finding.operation), ("pointer", finding.pointer)) if v},
            **({"status": finding.status} if finding.status is not None else {}),
        }
        self.rules.setdefault(finding.check, "")
        self.results.append(
            {
                "ruleId": finding.check,
                "level": LEVELS[finding.severity],
                "message": {"text": message_of(finding)},
                "locations": [
                    {
                        "physicalLocation": physical,
                        "logicalLocations": [{"fullyQualifiedName": where or "/", "kind": "object"}],
                    }
                ],
                "partialFingerprints": {"contractsFindingKey/v1": fingerprint(finding)},
                "properties": properties,
            }
        )

    def finish(self, summary: dict[str, Any]) -> None:
        names = sorted(self.rules)
        index = {name: i for i, name in enumerate(names)}
        for result in self.results:
            result["ruleIndex"] = index[result["ruleId"]]
        driver: dict[str, Any] = {
            "name": TOOL,
            "rules": [{"id": n, "shortDescription": {"text": self.rules[n] or n}} for n in names],
        }
        if self.version:
            driver["version"] = self.version
        run = {"tool": {"driver": driver}, "results": self.results, "columnKind": "unicodeCodePoints"}
        log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
        self.stream.write(json.dumps(log, indent=2) + "\n")
