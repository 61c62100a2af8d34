"""SARIF 2.1.0 from lint and contract findings: the structure code scanning requires."""

from __future__ import annotations

import io
import json
from typing import Any

import jsonschema_rs

from contracts.findings import Finding
from contracts.report.sarif import SarifReporter

LINT = Finding(
    "enum_upper_snake",
    "TrackingType value 'Streak' is not UPPER_SNAKE",
    pointer="/components/schemas/TrackingType/enum/5",
    spec_pointer="/components/schemas/TrackingType/enum/5",
    extra={"hint": "use the API's UPPER_SNAKE values"},
)
CONTRACT = Finding(
    "enum_value_documented",
    "'Streaks' is not a TrackingType value",
    operation="get-target-groups-id",
    pointer="/data/trackingType",
    spec_pointer="/components/schemas/TrackingType",
    severity="warning",
    status=200,
)

# The parts of the OASIS SARIF 2.1.0 schema that a log with results must satisfy (required
# properties, the level enum, a positive startLine), written out from the standard.
SARIF_SUBSET: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["tool"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "rules": {
                                        "type": "array",
                                        "items": {"type": "object", "required": ["id"]},
                                    }
                                },
                            }
                        },
                    },
                    "results": {"type": "array", "items": {"$ref": "#/$defs/result"}},
                },
            },
        },
    },
    "$defs": {
        "result": {
            "type": "object",
            "required": ["message"],
            "properties": {
                "ruleId": {"type": "string"},
                "ruleIndex": {"type": "integer", "minimum": -1},
                "level": {"enum": ["none", "note", "warning", "error"]},
                "message": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {"text": {"type": "string"}},
                },
                "locations": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "physicalLocation": {
                                "type": "object",
                                "required": ["artifactLocation"],
                                "properties": {
                                    "artifactLocation": {
                                        "type": "object",
                                        "required": ["uri"],
                                        "properties": {"uri": {"type": "string", "format": "uri-reference"}},
                                    },
                                    "region": {
                                        "type": "object",
                                        "properties": {"startLine": {"type": "integer", "minimum": 1}},
                                    },
                                },
                            }
                        },
                    },
                },
                "partialFingerprints": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}


def sarif(findings: list[Finding], **kw: Any) -> dict[str, Any]:
    out = io.StringIO()
    reporter = SarifReporter(out, uri="spec/v3.json", **kw)
    reporter.start({})
    for f in findings:
        reporter.handle(f)
    reporter.finish({})
    log: dict[str, Any] = json.loads(out.getvalue())
    return log


def test_log_satisfies_the_sarif_structure() -> None:
    log = sarif(
        [LINT, CONTRACT], line_of=lambda p: 40, rules={"enum_upper_snake": "Enum values are UPPER_SNAKE."}
    )
    jsonschema_rs.validator_for(SARIF_SUBSET).validate(log)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["enum_upper_snake", "enum_value_documented"]
    assert [r["ruleIndex"] for r in run["results"]] == [0, 1]


def test_lint_result_has_level_location_line_and_hint() -> None:
    (result,) = sarif([LINT], line_of=lambda p: 1234 if p.endswith("/enum/5") else 1)["runs"][0]["results"]
    assert result["ruleId"] == "enum_upper_snake"
    assert result["level"] == "error"
    assert result["message"]["text"].endswith("(use the API's UPPER_SNAKE values)")
    physical = result["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": "spec/v3.json"}, "region": {"startLine": 1234}}


def test_contract_finding_is_located_at_its_spec_pointer() -> None:
    (result,) = sarif([CONTRACT], line_of=lambda p: 7 if p == "/components/schemas/TrackingType" else 1)[
        "runs"
    ][0]["results"]
    assert result["level"] == "warning"
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 7}
    assert result["properties"] == {
        "severity": "warning",
        "operation": "get-target-groups-id",
        "pointer": "/data/trackingType",
        "status": 200,
    }


def test_without_line_numbers_there_is_no_region() -> None:
    (result,) = sarif([LINT])["runs"][0]["results"]
    assert "region" not in result["locations"][0]["physicalLocation"]


def test_fingerprints_follow_the_finding_not_the_line() -> None:
    first = sarif([LINT], line_of=lambda p: 10)["runs"][0]["results"][0]["partialFingerprints"]
    moved = sarif([LINT], line_of=lambda p: 99)["runs"][0]["results"][0]["partialFingerprints"]
    other = sarif([CONTRACT], line_of=lambda p: 10)["runs"][0]["results"][0]["partialFingerprints"]
    assert first == moved != other


def test_empty_log_is_still_valid() -> None:
    log = sarif([], rules={"enum_upper_snake": "x"})
    jsonschema_rs.validator_for(SARIF_SUBSET).validate(log)
    assert log["runs"][0]["results"] == []
