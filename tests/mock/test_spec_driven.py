"""A spec change is the only change: limits, codes, defaults, uniqueness and rules move with the spec."""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from contracts.mock import create_app
from contracts.mock.facts import Collections, Facts
from contracts.spec import Spec

AUTH = {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()}
GROUPS = "/v3/targetGroups"


def client(spec: Spec, change: Callable[[dict[str, Any]], object] | None = None) -> tuple[TestClient, Spec]:
    raw = copy.deepcopy(spec.raw)
    if change is not None:
        change(raw)
    changed = Spec(raw)
    return TestClient(create_app(changed, credentials=("u", "p"), strict=True), headers=AUTH), changed


def schemas(raw: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = raw["components"]["schemas"]
    return found


def enrol_op(raw: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = raw["paths"]["/v3/targetGroups/{targetGroupId}/targets/{targetId}/enroll"]["post"]
    return found


def codes(response: Any) -> list[int]:
    return [int(e["code"]) for e in response.json()["errors"] or []]


def test_collections_and_nesting_come_from_the_path_templates(spec: Spec) -> None:
    found = Collections.of(spec)
    assert found.by_param["targetGroupId"] == "targetGroups" and found.by_param["targetId"] == "targets"
    assert found.parent["targets"] == "targetGroups"
    assert found.by_param["targetRuleId"] == "targets"  # x-collection where no path template says it
    modify = Facts(spec, spec.operation("modify-target"), found)
    assert [(lk.name, lk.parent) for lk in modify.lookups] == [
        ("targetGroupId", None),
        ("targetId", "targetGroupId"),
    ]


def test_the_name_limit_is_the_spec_maxlength(spec: Spec) -> None:
    fields = schemas(spec.raw)["TargetGroupFields"]["properties"]["name"]
    limit, code = fields["maxLength"], fields["x-constraint-codes"]["maxLength"]
    test, _ = client(spec)
    assert codes(test.post(GROUPS, json={"name": "n" * (limit + 1), "totalPeriods": 1})) == [code]

    def shorter(raw: dict[str, Any]) -> None:
        schemas(raw)["TargetGroupFields"]["properties"]["name"]["maxLength"] = 5

    test, _ = client(spec, shorter)
    assert codes(test.post(GROUPS, json={"name": "sixsix", "totalPeriods": 1})) == [code]
    assert test.post(GROUPS, json={"name": "five5", "totalPeriods": 1}).status_code == 200


def test_a_default_is_the_spec_default(spec: Spec) -> None:
    def started(raw: dict[str, Any]) -> None:
        schemas(raw)["PeriodRequest"]["properties"]["periodStatus"]["default"] = "UPCOMING"

    test, _ = client(spec, started)
    period = {"startDate": "2025-01-01", "endDate": "2025-02-01"}
    reply = test.post(f"{GROUPS}/18044/targetPeriods", json=[period])
    assert reply.status_code == 200, reply.text
    assert reply.json()["data"][0]["periodStatus"] == "UPCOMING"


def test_uniqueness_is_the_spec_x_unique(spec: Spec) -> None:
    test, _ = client(spec)
    taken = test.get(f"{GROUPS}/18044").json()["data"]["name"]
    code = schemas(spec.raw)["TargetGroupFields"]["properties"]["name"]["x-unique"]
    assert codes(test.post(GROUPS, json={"name": taken.upper(), "totalPeriods": 1})) == [code]

    def not_unique(raw: dict[str, Any]) -> None:
        del schemas(raw)["TargetGroupFields"]["properties"]["name"]["x-unique"]

    test, _ = client(spec, not_unique)
    assert test.post(GROUPS, json={"name": taken.upper(), "totalPeriods": 1}).status_code == 200


def test_a_business_rule_applies_where_x_rules_lists_it(spec: Spec) -> None:
    test, _ = client(spec)
    group = test.get(f"{GROUPS}/18044").json()["data"]
    path = f"{GROUPS}/18044/targets/{group['targets'][0]['id']}/enroll"
    assert test.post(path, json=[{"customerId": 7}]).status_code == 200
    rule = next(r for r in enrol_op(spec.raw)["x-rules"] if r["rule"] == "enrolment")
    assert codes(test.post(path, json=[{"customerId": 7}])) == [rule["code"]]

    def without(raw: dict[str, Any]) -> None:
        enrol_op(raw)["x-rules"] = [r for r in enrol_op(raw)["x-rules"] if r["rule"] != "enrolment"]

    test, _ = client(spec, without)
    assert test.post(path, json=[{"customerId": 7}]).status_code == 200
    assert test.post(path, json=[{"customerId": 7}]).status_code == 200


def test_integer_valued_floats_are_integers_in_paths_and_bodies(spec: Spec) -> None:
    """JSON Schema calls ``8175.0`` an integer: the mock takes it as one and never echoes the ``.0``."""
    test, _ = client(spec)
    assert test.get(f"{GROUPS}/18044.0").json()["data"]["id"] == 18044
    target = {"name": "f", "targetEntity": "TRANSACTION", "targetType": "QUANTITY"}
    reply = test.post(
        f"{GROUPS}/18044/targets", json={**target, "defaultValues": [{"id": -3750861.0, "defaultValue": 2}]}
    )
    assert reply.status_code == 200, reply.text
    value = reply.json()["data"][0]["defaultValues"][0]["id"]
    assert value == -3750861 and isinstance(value, int)
    assert "-3750861.0" not in reply.text
