import copy

from _helpers import real, run

from contracts.spec import Spec

GROUP = real("update-target-group__response__200__1")


def test_type_violation_fires_with_pointers(spec: Spec) -> None:
    body = copy.deepcopy(GROUP)
    body["data"]["periods"][0]["id"] = "22057"
    [finding] = run(spec, "response_schema_conformance", "update-target-group", 200, body)
    assert finding.pointer == "/data/periods/0/id"
    assert (
        finding.spec_pointer == "/components/schemas/Period/allOf/1/properties/id/type"
        or finding.spec_pointer.endswith("/id/type")
    )
    assert finding.actual == "22057"


def test_missing_required_field_fires(spec: Spec) -> None:
    body = copy.deepcopy(GROUP)
    del body["data"]["name"]
    findings = run(spec, "response_schema_conformance", "update-target-group", 200, body)
    assert any("name" in f.message for f in findings)


def test_enum_and_format_errors_are_left_to_their_own_checks(spec: Spec) -> None:
    body = copy.deepcopy(GROUP)
    body["data"]["trackingType"] = "Streaks"
    body["data"]["fromDate"] = "19/02/2024"
    assert run(spec, "response_schema_conformance", "update-target-group", 200, body) == []


def test_real_payload_is_quiet(spec: Spec) -> None:
    assert run(spec, "response_schema_conformance", "update-target-group", 200, GROUP) == []
