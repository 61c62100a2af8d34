"""The business rules the targeted phase elicits: each fires, stays quiet when its condition does not hold,
and is off where the operation's ``x-rules`` does not list it. Codes and values are read from the spec."""

from __future__ import annotations

import base64
import copy
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from contracts.mock import create_app
from contracts.mock.facts import Collections, Facts
from contracts.runner.elicit import UNKNOWN_ID, example_body
from contracts.spec import Spec

AUTH = {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()}
GROUPS = "/v3/targetGroups"
NAMES = itertools.count(1)
UNENROL_OPS = ("un-enrol-users-into-a-milestonestreak", "connectedorgs-unenroll-customer-milestone-or-streak")
ENROL_OPS = (
    "enrol-customer-to-a-milestone",
    "connectedorgs-enroll-customer-milestone-or-streak",
    *UNENROL_OPS,
)


def client(spec: Spec, change: Callable[[dict[str, Any]], object] | None = None) -> TestClient:
    raw = copy.deepcopy(spec.raw)
    if change is not None:
        change(raw)
    return TestClient(create_app(Spec(raw), credentials=("u", "p"), strict=True), headers=AUTH)


def op_of(raw: dict[str, Any], operation_id: str) -> dict[str, Any]:
    for item in raw["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return op
    raise KeyError(operation_id)


def rule_code(spec: Spec, operation_id: str, rule: str) -> int:
    return int(next(r["code"] for r in op_of(spec.raw, operation_id)["x-rules"] if r["rule"] == rule))


def without_rule(operation_id: str, rule: str) -> Callable[[dict[str, Any]], None]:
    def change(raw: dict[str, Any]) -> None:
        op = op_of(raw, operation_id)
        op["x-rules"] = [r for r in op["x-rules"] if r["rule"] != rule]

    return change


def codes(response: Any) -> list[int]:
    return [int(e["code"]) for e in response.json()["errors"] or []]


def path_of(spec: Spec, operation_id: str, **ids: Any) -> str:
    path = spec.operation(operation_id).path
    for name, value in ids.items():
        path = path.replace("{" + name + "}", str(value))
    return path


def create_group(spec: Spec, test: TestClient, **changes: Any) -> dict[str, Any]:
    """A group from create-target-groups' own example (a fresh name), with ``changes`` (None removes)."""
    body = example_body(spec.operation("create-target-groups"))
    body["name"] = f"rules-{next(NAMES)}"
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    reply = test.post(GROUPS, json=body)
    assert reply.status_code == 200, reply.text
    group: dict[str, Any] = reply.json()["data"]
    return group


@pytest.mark.parametrize("operation_id", ENROL_OPS)
def test_an_invalid_customer_id_in_the_body_is_the_invalid_user_code(spec: Spec, operation_id: str) -> None:
    facts = Facts(spec, spec.operation(operation_id), Collections.of(spec))
    coded = {(c.where, c.keyword): c.code for c in facts.body_codes}
    schema = spec.raw["components"]["schemas"]["EnrolmentRequest"]["properties"]["customerId"]
    code = schema["x-constraint-codes"]["minimum"]
    assert coded[(("*", "customerId"), "minimum")] == coded[(("*", "customerId"), "type")] == code
    test = client(spec)
    group = create_group(spec, test)
    path = path_of(spec, operation_id, targetGroupId=group["id"], targetId=group["targets"][0]["id"])
    assert codes(test.post(path, json=[{"customerId": schema["minimum"] - 1}])) == [code]
    assert codes(test.post(path, json=[{"customerId": "seven"}])) == [code]
    assert code not in codes(test.post(path, json=[{"customerId": schema["minimum"]}]))


@pytest.mark.parametrize("operation_id", UNENROL_OPS)
def test_unenrolling_from_a_group_without_a_period_is_period_not_found(spec: Spec, operation_id: str) -> None:
    code = rule_code(spec, operation_id, "group-period")
    not_enrolled = rule_code(spec, operation_id, "unenrolment")
    test = client(spec)
    bare = create_group(spec, test, periods=None)
    path = path_of(spec, operation_id, targetGroupId=bare["id"], targetId=bare["targets"][0]["id"])
    assert codes(test.post(path, json=[{"customerId": 7}])) == [code]
    periodic = create_group(spec, test)
    other = path_of(spec, operation_id, targetGroupId=periodic["id"], targetId=periodic["targets"][0]["id"])
    assert codes(test.post(other, json=[{"customerId": 7}])) == [not_enrolled]  # quiet: it has periods

    test = client(spec, without_rule(operation_id, "group-period"))
    bare = create_group(spec, test, periods=None)
    path = path_of(spec, operation_id, targetGroupId=bare["id"], targetId=bare["targets"][0]["id"])
    assert codes(test.post(path, json=[{"customerId": 7}])) == [not_enrolled]


def test_a_leaderboard_period_must_be_one_of_the_groups(spec: Spec) -> None:
    operation_id = "get-top-ranked-users"
    code = rule_code(spec, operation_id, "period-of-group")
    test = client(spec)
    group = create_group(spec, test, leaderboardEnabled=True)
    other = create_group(spec, test, leaderboardEnabled=True)
    path = path_of(spec, operation_id, targetGroupId=group["id"])
    target = group["targets"][0]["id"]
    assert codes(test.get(path, params={"targetId": target, "periodId": UNKNOWN_ID})) == [code]
    assert codes(test.get(path, params={"targetId": target, "periodId": other["periods"][0]["id"]})) == [code]
    for params in ({"targetId": target}, {"targetId": target, "periodId": group["periods"][0]["id"]}):
        reply = test.get(path, params=params)
        assert reply.status_code == 200, reply.text

    test = client(spec, without_rule(operation_id, "period-of-group"))
    group = create_group(spec, test, leaderboardEnabled=True)
    params = {"targetId": group["targets"][0]["id"], "periodId": UNKNOWN_ID}
    assert test.get(path_of(spec, operation_id, targetGroupId=group["id"]), params=params).status_code == 200


def test_a_leaderboard_needs_an_evaluation_type_of_the_leaderboard_role(spec: Spec) -> None:
    operation_id = "create-target-groups"
    code = rule_code(spec, operation_id, "leaderboard-evaluation")
    schema = spec.raw["components"]["schemas"]["TargetEvaluationType"]
    allowed = schema["x-value-roles"]["leaderboard"]
    refused = [v for v in schema["enum"] if v not in allowed]
    assert refused, "some evaluation type is refused a leaderboard"
    test = client(spec)
    body = example_body(spec.operation(operation_id))
    for value in refused:
        body.update(name=f"rules-{next(NAMES)}", leaderboardEnabled=True, targetEvaluationType=value)
        assert codes(test.post(GROUPS, json=body)) == [code]
    for value in allowed:
        create_group(spec, test, leaderboardEnabled=True, targetEvaluationType=value)
    for value in refused:
        create_group(spec, test, leaderboardEnabled=False, targetEvaluationType=value)

    test = client(spec, without_rule(operation_id, "leaderboard-evaluation"))
    create_group(spec, test, leaderboardEnabled=True, targetEvaluationType=refused[0])


def test_an_org_outside_the_hierarchy_is_refused(spec: Spec) -> None:
    operation_id = "get-user-ranks-across-target-groups"
    rule = next(r for r in op_of(spec.raw, operation_id)["x-rules"] if r["rule"] == "org-hierarchy")
    header, name = rule["org-header"], rule["org-field"]
    body = example_body(spec.operation(operation_id))
    known = str(body[0][name])  # an org the spec's examples name: one of the mock's hierarchy
    path = path_of(spec, operation_id, userId=7)
    test = client(spec)

    def ask(headers: dict[str, str], items: Any = body) -> Any:
        return test.request("GET", path, json=items, headers={**AUTH, **headers})

    assert ask({}).status_code == 200
    assert ask({header: f"{known}, {known}"}).status_code == 200
    assert codes(ask({header: str(UNKNOWN_ID)})) == [rule["code"]]
    assert codes(ask({header: f"{known},{UNKNOWN_ID}"})) == [rule["code"]]
    assert codes(ask({}, [{**body[0], name: UNKNOWN_ID}])) == [rule["code"]]

    test = client(spec, without_rule(operation_id, "org-hierarchy"))
    assert ask({header: str(UNKNOWN_ID)}).status_code == 200


def test_an_alternate_currency_target_needs_its_currency_identifier(spec: Spec) -> None:
    operation_id = "create-target-groups"
    rule = next(r for r in op_of(spec.raw, operation_id)["x-rules"] if r["rule"] == "currency-identifier")
    entity = spec.raw["components"]["schemas"]["TargetEntity"]["x-value-roles"]["needs-currency"][0]
    test = client(spec)
    target = example_body(spec.operation(operation_id))["targets"][0]

    def create(info: dict[str, Any], **changes: Any) -> Any:
        body = example_body(spec.operation(operation_id))
        body.update(name=f"rules-{next(NAMES)}", targets=[{**target, **changes, "extendedFieldInfo": info}])
        return test.post(GROUPS, json=body)

    for missing in ({rule["field"]: None}, {rule["field"]: "  "}, {"programId": 46}):
        assert codes(create(missing, targetEntity=entity)) == [rule["code"]]
    assert create({rule["field"]: "0nzyDx"}, targetEntity=entity).status_code == 200
    assert create({rule["field"]: None}).status_code == 200  # quiet: not an alternate-currency target

    test = client(spec, without_rule(operation_id, "currency-identifier"))
    assert create({rule["field"]: None}, targetEntity=entity).status_code == 200
