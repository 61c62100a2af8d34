"""Findings de-duplicate, and Result raises only for error severity."""

from __future__ import annotations

import pytest

from contracts.findings import Finding, FindingsError, Result


def test_duplicates_are_dropped_by_check_operation_and_pointers() -> None:
    a = Finding("envelope_shape", "missing data", operation="x", pointer="/data", spec_pointer="/s")
    b = Finding("envelope_shape", "other text", operation="x", pointer="/data", spec_pointer="/s")
    c = Finding("envelope_shape", "missing data", operation="x", pointer="/errors", spec_pointer="/s")
    assert Result.of([a, b, c]).findings == [a, c]


def test_raise_for_findings_ignores_warnings() -> None:
    warn = Finding("enum_value_documented", "casing", severity="warning")
    Result.of([warn]).raise_for_findings()
    err = Finding("status_code_documented", "500 not documented", operation="get-targets", pointer="")
    result = Result.of([warn, err])
    assert not result.ok
    with pytest.raises(FindingsError) as info:
        result.raise_for_findings()
    assert info.value.findings == [err]
    assert "status_code_documented: get-targets" in str(info.value)


def test_to_dict_is_plain_data() -> None:
    finding = Finding("x", "m", expected=["A"], actual="a")
    assert finding.to_dict() == {
        "check": "x",
        "message": "m",
        "operation": None,
        "pointer": "",
        "spec_pointer": "",
        "severity": "error",
        "expected": ["A"],
        "actual": "a",
        "status": None,
    }
