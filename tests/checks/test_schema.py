"""response_schema_conformance: fires with pointers, hands enum/format values to their checks, and
gives openapi-core's verdict (the reference) on every real payload and mutations of it."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from _helpers import real, real_responses, run
from openapi_core.testing import MockRequest, MockResponse

from contracts.checks import iter_findings, select
from contracts.checks._schemas import response_validator
from contracts.exchange import Exchange
from contracts.spec import Spec

GROUP = real("update-target-group__response__200__1")
TARGETS = real("get-targets__response__200__1")
SCHEMA = "response_schema_conformance"
STRUCTURAL = [
    SCHEMA,
    "envelope_shape",
    "data_iff_success",
    "errors_array_shape",
    "warnings_shape",
    "enum_value_documented",
    "date_format",
    "timestamp_format",
]


def test_type_violation_fires_with_pointers(spec: Spec) -> None:
    body = copy.deepcopy(GROUP)
    body["data"]["periods"][0]["id"] = "22057"
    [finding] = run(spec, SCHEMA, "update-target-group", 200, body)
    assert finding.pointer == "/data/periods/0/id"
    assert finding.spec_pointer.endswith("/properties/id/type")
    assert spec.at(finding.spec_pointer) == "integer"
    assert finding.expected == {"type": "integer"}
    assert finding.actual == "22057"


def test_missing_required_field_fires(spec: Spec) -> None:
    body = copy.deepcopy(GROUP)
    del body["data"]["name"]
    [finding] = run(spec, SCHEMA, "update-target-group", 200, body)
    assert finding.pointer == "/data"
    assert '"name" is a required property' in finding.message
    assert "name" in finding.expected["required"]
    assert finding.actual.startswith("<object of")


def test_every_finding_points_into_the_spec(spec: Spec) -> None:
    """Every spec pointer of every check resolves, on mutations of a success and an error body."""
    error = real("get-active-targets__response__error__2")
    cases = [("update-target-group", 200, GROUP), ("get-active-targets", 400, error)]
    seen = 0
    for operation, status, original in cases:
        for body in mutations(original, limit=10):
            for finding in iter_findings(spec, Exchange.from_json(operation, status, body)):
                spec.at(finding.spec_pointer)
                seen += 1
    assert seen > 20


def test_envelope_problems_are_left_to_the_envelope_checks(spec: Spec) -> None:
    body = {"data": {"id": 1}, "errors": [{"code": "310011"}], "warnings": "careful"}
    findings = list(iter_findings(spec, Exchange.from_json("get-active-targets", 400, body)))
    assert {f.check for f in findings} == {"data_iff_success", "errors_array_shape", "warnings_shape"}


def test_enum_and_format_values_are_left_to_their_own_checks(spec: Spec) -> None:
    body = copy.deepcopy(GROUP)
    body["data"]["trackingType"] = "Streaks"
    body["data"]["fromDate"] = "19/02/2024"
    assert run(spec, SCHEMA, "update-target-group", 200, body) == []
    checks = {f.check for f in iter_findings(spec, Exchange.from_json("update-target-group", 200, body))}
    assert checks == {"enum_value_documented", "date_format"}


def test_nullable_enum_is_reported_once(spec: Spec) -> None:
    """``anyOf: [EnrolmentMethod, null]`` fails as an anyOf; the enum check owns it."""
    body = copy.deepcopy(TARGETS)
    body["data"][0]["enrolmentMethod"] = "Manual"
    findings = list(iter_findings(spec, Exchange.from_json("get-targets", 200, body)))
    assert [(f.check, f.pointer) for f in findings] == [("enum_value_documented", "/data/0/enrolmentMethod")]


def test_null_at_a_format_component_stays_here(spec: Spec) -> None:
    """The format checks skip nulls, so a null where a Date is required is this check's."""
    body = copy.deepcopy(GROUP)
    body["data"]["fromDate"] = None
    [finding] = list(iter_findings(spec, Exchange.from_json("update-target-group", 200, body)))
    assert (finding.check, finding.pointer) == (SCHEMA, "/data/fromDate")
    assert finding.spec_pointer == "/components/schemas/Date/type"


def test_real_payload_is_quiet(spec: Spec) -> None:
    assert run(spec, SCHEMA, "update-target-group", 200, GROUP) == []


# -- the differential test: openapi-core is the reference -------------------------------------


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, node
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in children:
        yield from _leaves(value, (*path, key))


def _set(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(body)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def _drop(body: Any, path: tuple[Any, ...]) -> Any:
    out = copy.deepcopy(body)
    node = out
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return out


def _other(value: Any) -> list[Any]:
    """Values of another type, or the same type in another shape (casing, date forms, ints)."""
    if isinstance(value, bool):
        return [1, "true"]
    if isinstance(value, int):
        return [str(value), 2**63, 1.5]
    if isinstance(value, float):
        return [str(value)]
    if isinstance(value, str):
        return [7, value.title(), value.replace("-", "/").replace("T", " ")]
    if isinstance(value, list):
        return [{}, [*value, None]] if value else [{}]
    if isinstance(value, dict):
        return [[], {**value, "unexpected": True}]
    return ["x", 0]


def mutations(body: Any, limit: int = 20) -> Iterator[Any]:
    """The body, then deterministic mutations of an evenly spread sample of its positions."""
    yield body
    positions = [p for p, _ in _leaves(body) if p]
    step = max(1, len(positions) // limit)
    for path in positions[::step]:
        value = _leaves_value(body, path)
        for changed in (*_other(value), None):
            yield _set(body, path, changed)
        if isinstance(path[-1], str):
            yield _drop(body, path)


def _leaves_value(body: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        body = body[key]
    return body


def _reference(spec: Spec, operation: str, status: int, body: Any) -> bool:
    op = spec.operation(operation)
    request = MockRequest("https://h", op.method.lower(), op.path.replace("{", "").replace("}", "1"))
    response = MockResponse(json.dumps(body).encode(), status, content_type="application/json")
    try:
        spec.openapi.validate_response(request, response)
    except Exception:  # noqa: BLE001 - any openapi-core validation error is a "no"
        return False
    return True


@pytest.mark.slow
def test_compiled_validator_gives_openapi_core_verdicts(spec: Spec) -> None:
    """jsonschema-rs and openapi-core agree on every real response and its mutations; and the checks
    that share the schema's ground (schema, envelope, enum, format) report something exactly when
    the body is invalid, so what the schema check leaves to the others is never lost."""
    judged = {"valid": 0, "invalid": 0}
    value_checks = select(STRUCTURAL)
    for operation, status, original in real_responses(spec):
        validator = response_validator(spec.operation(operation), status)
        assert validator is not None, (operation, status)
        for body in mutations(original):
            fast = bool(validator.is_valid(body))
            assert fast == _reference(spec, operation, status, body), (operation, status, body)
            findings = list(iter_findings(spec, Exchange.from_json(operation, status, body), value_checks))
            assert (findings == []) == fast, (operation, status, findings)
            judged["valid" if fast else "invalid"] += 1
    assert judged["invalid"] > 1000 and judged["valid"] > 500, judged
