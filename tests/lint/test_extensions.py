"""extension_codes_listed and extensions_well_formed: each fires on a crafted defect and stays quiet on the spec."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from contracts.lint import iter_findings, load_rules
from contracts.spec import Spec

GROUP = "/v3/targetGroups/{targetGroupId}"
USER_TARGETS = "/v3/users/{userId}/enrolledTargets"


def findings(spec: Spec, rule: str, mutation: Callable[[dict[str, Any]], object] | None = None) -> list[str]:
    raw = copy.deepcopy(spec.raw)
    if mutation is not None:
        mutation(raw)
    others = [name for name in load_rules() if name != rule]
    return [f"{f.pointer} {f.message}" for f in iter_findings(Spec(raw, lenient=True), disable=others)]


@pytest.mark.parametrize("rule", ["extension_codes_listed", "extensions_well_formed"])
def test_quiet_on_the_real_spec(spec: Spec, rule: str) -> None:
    assert findings(spec, rule) == []


def test_a_not_found_code_the_operation_does_not_list(spec: Spec) -> None:
    found = findings(
        spec,
        "extension_codes_listed",
        lambda r: r["paths"][GROUP]["get"]["parameters"][0].update({"x-not-found-code": 310018}),
    )
    assert found == [
        "/paths/~1v3~1targetGroups~1{targetGroupId}/get/parameters/0/x-not-found-code "
        "get-target-groups-id: /paths/~1v3~1targetGroups~1{targetGroupId}/get/parameters/0/x-not-found-code "
        "names code 310018, which get-target-groups-id's x-error-codes does not list"
    ]


def test_a_schema_level_code_is_judged_for_each_operation_reaching_it(spec: Spec) -> None:
    """x-unique on TargetGroupFields.name is reached by the create and the update: both report it."""

    def mutate(raw: dict[str, Any]) -> None:
        raw["components"]["schemas"]["TargetGroupFields"]["properties"]["name"]["x-unique"] = 310999

    found = findings(spec, "extension_codes_listed", mutate)
    assert len(found) == 2 and all("names code 310999, which the catalogue lacks" in f for f in found)
    assert {f.split(":")[0].split()[-1] for f in found} == {"create-target-groups", "update-target-group"}


def test_a_rule_code_that_is_not_an_integer(spec: Spec) -> None:
    def mutate(raw: dict[str, Any]) -> None:
        raw["paths"][GROUP]["get"]["x-rules"][0]["code"] = "310017"

    assert findings(spec, "extension_codes_listed", mutate) == [
        "/paths/~1v3~1targetGroups~1{targetGroupId}/get/x-rules/0/code get-target-groups-id: "
        "/paths/~1v3~1targetGroups~1{targetGroupId}/get/x-rules/0/code names '310017', which is not an integer code"
    ]


def test_a_constraint_keyword_the_schema_lacks(spec: Spec) -> None:
    def mutate(raw: dict[str, Any]) -> None:
        raw["paths"][USER_TARGETS]["get"]["parameters"][3]["x-constraint-codes"] = {"maxLength": 310130}

    found = findings(spec, "extensions_well_formed", mutate)
    assert (
        len(found) == 1
        and "x-constraint-codes names 'maxLength', a keyword its schema does not have" in found[0]
    )


def test_a_value_role_outside_the_enum_and_a_bad_behaviour_name(spec: Spec) -> None:
    def mutate(raw: dict[str, Any]) -> None:
        raw["components"]["schemas"]["PeriodStatus"]["x-value-roles"]["running"] = ["RUNNING", "STARTED"]
        raw["paths"][GROUP]["get"]["x-behaviour"] = "Read Group"

    found = findings(spec, "extensions_well_formed", mutate)
    assert len(found) == 2
    assert any("x-value-roles 'running' must list values of the enum (not ['STARTED'])" in f for f in found)
    assert any("x-behaviour 'Read Group' is not a kebab-case name" in f for f in found)


TARGET = GROUP + "/targets/{targetId}"


def test_a_soft_delete_off_a_delete_or_naming_no_boolean(spec: Spec) -> None:
    """x-soft-delete on a PUT, and one naming a property no schema declares a boolean (``name`` is a string)."""

    def mutate(raw: dict[str, Any]) -> None:
        raw["paths"][TARGET]["put"]["x-soft-delete"] = "active"
        raw["paths"][TARGET]["delete"]["x-soft-delete"] = "name"

    found = findings(spec, "extensions_well_formed", mutate)
    assert found == [
        "/paths/~1v3~1targetGroups~1{targetGroupId}~1targets~1{targetId}/put/x-soft-delete modify-target: "
        "x-soft-delete 'active': on a DELETE, the name of the boolean property a deleted record keeps false",
        "/paths/~1v3~1targetGroups~1{targetGroupId}~1targets~1{targetId}/delete/x-soft-delete deactivate-target: "
        "x-soft-delete names 'name', which no schema of the components declares a boolean",
    ]
