import copy

from _helpers import real, run

from contracts.spec import Spec

GROUP = real("update-target-group__response__200__1")


def test_undocumented_value_fires_with_allowed_values(spec: Spec) -> None:
    body = copy.deepcopy(GROUP)
    body["data"]["periods"][1]["periodStatus"] = "PAUSED"
    [finding] = run(spec, "enum_value_documented", "update-target-group", 200, body)
    assert finding.pointer == "/data/periods/1/periodStatus"
    assert finding.spec_pointer == "/components/schemas/PeriodStatus"
    assert "ENDED" in finding.expected
    assert "casing" not in finding.message


def test_casing_difference_is_named(spec: Spec) -> None:
    body = copy.deepcopy(GROUP)
    body["data"]["trackingType"] = "Non_Continuous_Streaks"
    [finding] = run(spec, "enum_value_documented", "update-target-group", 200, body)
    assert "casing differs from documented NON_CONTINUOUS_STREAKS" in finding.message
    body["data"]["trackingType"] = "non-continuous streaks"
    [finding] = run(spec, "enum_value_documented", "update-target-group", 200, body)
    assert finding.extra == {"casing": "NON_CONTINUOUS_STREAKS"}


def test_nullable_enum_null_is_quiet_and_real_payload_is_quiet(spec: Spec) -> None:
    assert run(spec, "enum_value_documented", "update-target-group", 200, GROUP) == []
    targets = real("get-targets__response__200__1")
    assert run(spec, "enum_value_documented", "get-targets", 200, targets) == []


def test_nullable_enum_position_fires_and_null_is_quiet(spec: Spec) -> None:
    targets = real("get-targets__response__200__1")
    body = copy.deepcopy(targets)
    body["data"][0]["enrolmentMethod"] = "audience filter"
    [finding] = run(spec, "enum_value_documented", "get-targets", 200, body)
    assert finding.pointer == "/data/0/enrolmentMethod"
    assert "casing differs from documented AUDIENCE_FILTER" in finding.message
    body["data"][0]["enrolmentMethod"] = None
    assert run(spec, "enum_value_documented", "get-targets", 200, body) == []


def test_every_enum_in_an_array_is_judged(spec: Spec) -> None:
    body = copy.deepcopy(GROUP)
    for period in body["data"]["periods"]:
        period["periodStatus"] = "Unknown"
    findings = run(spec, "enum_value_documented", "update-target-group", 200, body)
    assert [f.pointer for f in findings] == [
        f"/data/periods/{i}/periodStatus" for i in range(len(body["data"]["periods"]))
    ]
