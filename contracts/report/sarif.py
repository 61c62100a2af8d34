"""SARIF 2.1.0 for code scanning: lint findings and contract findings alike."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO, Any

from contracts.findings import Finding

LEVELS = {"error": "error", "warning": "warning", "info": "note"}


class SarifReporter:
    """Collects findings and writes one SARIF log on ``finish``."""

    def __init__(
        self, stream: IO[str], *, uri: str, line_of: Callable[[str], int], rules: dict[str, str]
    ) -> None:
        self.stream, self.uri, self.line_of, self.rules = stream, uri, line_of, rules
        self.results: list[dict[str, Any]] = []

    def start(self, meta: dict[str, Any]) -> None:
        self.meta = meta

    def handle(self, finding: Finding) -> None:
        where = finding.spec_pointer or finding.pointer
        self.results.append(
            {
                "ruleId": finding.check,
                "level": LEVELS[finding.severity],
                "message": {"text": finding.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": self.uri},
                            "region": {"startLine": self.line_of(where)},
                        },
                        "logicalLocations": [{"fullyQualifiedName": where or "/"}],
                    }
                ],
                "properties": {
                    k: v for k, v in (("operation", finding.operation), ("pointer", finding.pointer)) if v
                },
            }
        )

    def finish(self, summary: dict[str, Any]) -> None:
        log = {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "capillary-contracts",
                            "informationUri": "https://docs.capillarytech.com/reference/apioverview",
                            "rules": [
                                {"id": name, "shortDescription": {"text": text or name}}
                                for name, text in sorted(self.rules.items())
                            ],
                        }
                    },
                    "results": self.results,
                }
            ],
        }
        self.stream.write(json.dumps(log, indent=2) + "\n")
