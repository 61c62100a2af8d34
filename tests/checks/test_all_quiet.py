"""Every check stays quiet on every real response of the documentation."""

from __future__ import annotations

from _helpers import PAYLOADS, real_responses

from contracts.checks import iter_findings, select
from contracts.exchange import Exchange
from contracts.spec import Spec


def test_every_check_is_quiet_on_every_real_response(spec: Spec) -> None:
    cases = real_responses(spec)
    assert len(cases) == len(list(PAYLOADS.glob("*__response__*.json"))) > 30
    for operation, status, body in cases:
        findings = list(iter_findings(spec, Exchange.from_json(operation, status, body)))
        assert findings == [], (operation, status, findings)


def test_registry_holds_the_documented_checks() -> None:
    assert {c.name for c in select()} == {
        "status_code_documented",
        "content_type_documented",
        "response_schema_conformance",
        "envelope_shape",
        "data_iff_success",
        "errors_array_shape",
        "warnings_shape",
        "enum_value_documented",
        "error_code_documented",
        "error_code_matches_status",
        "date_format",
        "timestamp_format",
        "response_headers_documented",
        "undocumented_property",
    }
