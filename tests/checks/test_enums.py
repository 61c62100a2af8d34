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
