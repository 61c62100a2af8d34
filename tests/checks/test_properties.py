"""undocumented_property: every response property the schema does not declare, as a warning (an error when strict)."""

from __future__ import annotations

import copy

import pytest
from _helpers import real, real_responses, run

from contracts.checks import REGISTRY, escalate, iter_findings, select
from contracts.exchange import Exchange
from contracts.spec import Spec

TARGETS = real("get-targets__response__200__1")
USER_VIEW = real("getusertargetgroupdetails__response__200__1")


def test_fires_on_each_undeclared_property_with_its_pointer(spec: Spec) -> None:
    body = copy.deepcopy(TARGETS)
    body["data"][0]["targetNmae"] = "misspelled"
    body["data"][0]["attribution"]["createdBy"]["badge"] = 1
    body["requestId"] = "abc"
    findings = run(spec, "undocumented_property", "get-targets", 200, body)
    assert {(f.pointer, f.spec_pointer) for f in findings} == {
        ("/data/0/targetNmae", "/components/schemas/Target"),
        ("/data/0/attribution/createdBy/badge", "/components/schemas/UserRef"),
        ("/requestId", "/components/schemas/Envelope"),
    }
    assert all(f.severity == "warning" and f.operation == "get-targets" for f in findings)
    assert "'targetNmae' is not declared" in next(f.message for f in findings if f.actual == "targetNmae")


def test_fires_deep_in_arrays_and_escapes_the_pointer(spec: Spec) -> None:
    body = copy.deepcopy(USER_VIEW)
    body["data"]["targetGroups"][1]["targets"][11]["a/b~c"] = True
    body["data"]["targetGroups"][0]["streaks"][0]["levelName"] = "x"
    pointers = {f.pointer for f in run(spec, "undocumented_property", "getusertargetgroupdetails", 200, body)}
    assert pointers == {
        "/data/targetGroups/1/targets/11/a~1b~0c",
        "/data/targetGroups/0/streaks/0/levelName",
    }


def test_follows_the_branch_a_value_takes(spec: Spec) -> None:
    """get-target-groups-id answers an object or an array (oneOf): both branches are walked as answered."""
    one = real("get-target-groups-id__response__200__1")
    many = real("get-target-groups-id__response__200__2")
    one["data"]["colour"] = "red"
    many["data"][0]["targets"][0]["colour"] = "red"
    assert [f.pointer for f in run(spec, "undocumented_property", "get-target-groups-id", 200, one)] == [
        "/data/colour"
    ]
    assert [f.pointer for f in run(spec, "undocumented_property", "get-target-groups-id", 200, many)] == [
        "/data/0/targets/0/colour"
    ]


def test_quiet_on_every_real_response(spec: Spec) -> None:
    cases = real_responses(spec)
    assert len(cases) > 40
    for operation, status, body in cases:
        assert run(spec, "undocumented_property", operation, status, body) == [], (operation, status)


def test_quiet_inside_free_form_objects_and_declared_maps(spec: Spec) -> None:
    """The customer's customFields declare no properties; targetPeriodDefaultValuesMap is keyed by period id."""
    body = copy.deepcopy(USER_VIEW)
    body["data"]["customer"]["customFields"]["anything"] = {"goes": True}
    assert run(spec, "undocumented_property", "getusertargetgroupdetails", 200, body) == []
    body = copy.deepcopy(TARGETS)
    body["data"][0]["targetPeriodDefaultValuesMap"]["999"] = {"id": 1, "periodId": 999, "defaultValue": 1.0}
    assert run(spec, "undocumented_property", "get-targets", 200, body) == []


def test_quiet_on_undocumented_status_and_non_json(spec: Spec) -> None:
    assert run(spec, "undocumented_property", "get-targets", 418, {"data": 1, "x": 2}) == []
    exchange = Exchange("get-targets", 200, b"not json", headers={"Content-Type": "application/json"})
    assert list(iter_findings(spec, exchange, select(["undocumented_property"]))) == []


def test_registered_as_a_warning_and_strict_makes_it_an_error(spec: Spec) -> None:
    assert REGISTRY["undocumented_property"].severity == "warning"
    assert {c.severity for n, c in REGISTRY.items() if n != "undocumented_property"} == {"error"}
    body = copy.deepcopy(TARGETS)
    body["data"][0]["targetNmae"] = "x"
    exchange = Exchange.from_json("get-targets", 200, body)
    lenient = list(iter_findings(spec, exchange, select(["undocumented_property"])))
    strict = list(iter_findings(spec, exchange, select(["undocumented_property"]), strict=True))
    assert [f.severity for f in lenient] == ["warning"]
    assert [f.severity for f in strict] == ["error"]
    assert strict[0].pointer == lenient[0].pointer
    assert escalate(strict[0]) is strict[0]


@pytest.mark.parametrize("operation", ["get-targets", "get-target-channels"])
def test_a_warning_does_not_fail_a_result(spec: Spec, operation: str) -> None:
    from contracts.findings import Result

    body = copy.deepcopy(real(f"{operation}__response__200__1"))
    body["extra"] = 1
    result = Result.of(iter_findings(spec, Exchange.from_json(operation, 200, body)))
    assert [f.check for f in result.findings] == ["undocumented_property"]
    assert result.ok


def _objects(node: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found: list[tuple[str | int, ...]] = []
    if isinstance(node, dict):
        found.append(path)
        for key, value in node.items():
            found += _objects(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _objects(value, (*path, index))
    return found


def test_the_closed_validator_accepts_a_body_only_when_the_walk_finds_nothing(spec: Spec) -> None:
    """The compiled fast path (no Python walk when it accepts) never hides an undeclared property: on
    every real response, and with a property planted in each of its objects in turn."""
    from contracts.checks._schemas import plan
    from contracts.checks.properties import undeclared

    judged = 0
    for operation, status, body in real_responses(spec):
        documented = plan(spec.operation(operation), status)
        if documented is None or documented.schema is None:
            continue
        closed = spec.schemas.closed_validator(documented.schema)
        assert closed.is_valid(body), (operation, status)  # real bodies take the fast path
        for path in _objects(body)[:40]:
            planted = copy.deepcopy(body)
            node = planted
            for key in path:
                node = node[key]
            node["zzPlanted"] = 1
            if list(undeclared(spec, documented.schema, planted)):
                assert not closed.is_valid(planted), (operation, path)
                judged += 1
    assert judged > 300
