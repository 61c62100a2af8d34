"""The mock's behaviour for the operations found in round 2, strict (every reply checked, warnings as errors)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from starlette.testclient import TestClient

from contracts.mock import create_app
from contracts.mock.facts import Collections, Facts
from contracts.mock.handlers import BEHAVIOURS, implied
from contracts.spec import Spec

AUTH = {"Authorization": "Basic " + base64.b64encode(b"anyone:anything").decode()}
NAME_CHECK = "/v3/targetGroups/isValidName"


@pytest.fixture
def app(spec: Spec) -> Any:
    return create_app(spec, strict=True)


@pytest.fixture
def client(app: Any) -> TestClient:
    return TestClient(app, headers=AUTH)


def code(response: Any) -> int:
    assert response.json()["data"] is None, response.text
    return int(response.json()["errors"][0]["code"])


def test_every_operation_has_behaviour(spec: Spec) -> None:
    """Each operation's x-behaviour (or the one its method and path imply) is a registered behaviour."""
    collections = Collections.of(spec)
    chosen = {op.operation_id: implied(Facts(spec, op, collections), collections) for op in spec.operations}
    assert {op_id: name for op_id, name in chosen.items() if name not in BEHAVIOURS} == {}


def test_name_validity_case_insensitive_per_kind(client: TestClient, app: Any) -> None:
    group = app.state.store.groups[18044]
    taken = {"type": "targetGroupName", "value": group["name"].upper()}
    assert client.post(NAME_CHECK, json=taken).json()["data"] is False
    assert (
        client.post(NAME_CHECK, json={"type": "targetGroupName", "value": "never used"}).json()["data"]
        is True
    )
    target = next(iter(app.state.store.targets.values()))
    period = next(p for p in app.state.store.periods.values() if p.get("refCode"))
    assert (
        client.post(NAME_CHECK, json={"type": "targetName", "value": target["name"]}).json()["data"] is False
    )
    assert (
        client.post(NAME_CHECK, json={"type": "periodName", "value": period["refCode"]}).json()["data"]
        is False
    )
    assert client.post(NAME_CHECK, json={"type": "streakName", "value": "never used"}).json()["data"] is True


def test_unknown_name_type_is_310145(client: TestClient) -> None:
    response = client.post(NAME_CHECK, json={"type": "milestoneName", "value": "x"})
    assert code(response) == 310145
    assert response.status_code == 400
    assert code(client.post(NAME_CHECK, json={"type": "targetName"})) == 300004


def _leaderboard_group(client: TestClient) -> tuple[int, int]:
    body = {"name": "ranked", "totalPeriods": 1, "leaderboardEnabled": True,
            "targets": [{"name": "r", "targetEntity": "TRANSACTION", "targetType": "SALES"}]}  # fmt: skip
    created = client.post("/v3/targetGroups", json=body).json()["data"]
    return int(created["id"]), int(created["targets"][0]["id"])


def test_user_ranks_rank_the_enrolled_and_warn_about_the_rest(client: TestClient) -> None:
    group_id, rule_id = _leaderboard_group(client)
    enroll = f"/v3/targetGroups/{group_id}/targets/{rule_id}/enroll"
    client.post(enroll, json=[{"customerId": 7, "initialBalance": 10}])
    client.post(enroll, json=[{"customerId": 8, "initialBalance": 50}])
    body = [
        {"targetGroupId": group_id, "targetRuleId": rule_id},
        {"targetGroupId": 999999, "targetRuleId": 1},
    ]
    response = client.request("GET", "/v3.1/leaderboards/user/7", json=body)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["customerId"] == 7
    assert [(r["rank"], r["totalUsersInTargetGroup"]) for r in data["userRanks"]] == [(2, 2)]
    assert data["lastSyncTime"].endswith("UTC")
    assert response.json()["warnings"] == [
        {"code": None, "message": "Target group id 999999 not found or deactivated"}
    ]


def test_user_ranks_need_a_body(client: TestClient) -> None:
    assert code(client.get("/v3.1/leaderboards/user/7")) == 300004


@pytest.mark.parametrize("kind", ["enroll", "unEnroll"])
def test_connected_orgs_refuse_data_scope_all_and_other_without_org(client: TestClient, kind: str) -> None:
    path = f"/v3.1/targetGroups/18044/targets/3018/{kind}"
    assert code(client.post(path, json=[{"customerId": 5}], headers={"DATA-SCOPE": "ALL"})) == 310141
    assert code(client.post(path, json=[{"customerId": 5}], headers={"DATA-SCOPE": "OTHER"})) == 310144
    assert code(client.post(path, json=[{"customerId": 5}], headers={"DATA-SCOPE": "NONE"})) == 300004


def test_connected_orgs_enrol_then_view_then_unenrol(client: TestClient, app: Any) -> None:
    target = next(iter(app.state.store.targets.values()))
    base = f"/v3.1/targetGroups/{target['targetGroupId']}/targets/{target['id']}"
    scope = {"DATA-SCOPE": "OTHER", "DATA-SCOPE-ORG": "50363"}
    assert client.post(f"{base}/enroll", json=[{"customerId": 77}], headers=scope).json()["data"] == 77
    groups = client.get("/v3.1/users/77/targetGroups", headers={"DATA-SCOPE": "ALL"}).json()["data"]
    assert [g["id"] for g in groups["targetGroups"]] == [target["targetGroupId"]]
    assert (
        client.post(f"{base}/unEnroll", json=[{"customerId": 77}], headers={"DATA-SCOPE": "SELF"}).json()[
            "data"
        ]
        == 77
    )
    assert code(client.post(f"{base}/unEnroll", json=[{"customerId": 77}])) == 310119


def test_unknown_request_properties_are_not_echoed(client: TestClient, app: Any) -> None:
    body = {"name": "echo", "totalPeriods": 1, "colour": "red",
            "targets": [{"name": "t", "targetEntity": "TRANSACTION", "targetType": "SALES", "shade": 1,
                         "targetMilestoneTriggers": [{"triggerName": "x", "junk": True}]}]}  # fmt: skip
    response = client.post("/v3/targetGroups", json=body)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert "colour" not in data and "shade" not in data["targets"][0]
    assert data["targets"][0]["targetMilestoneTriggers"] == []
    assert app.state.violations == []


def test_a_misspelled_field_in_the_store_never_reaches_a_reply(spec: Spec) -> None:
    """Replies are projected onto the response schema (contracts/mock/shapes.py), so a field the store
    holds under a name the spec does not declare is not answered; the self-check stays clean."""
    app = create_app(spec, strict=True)
    app.state.store.groups[18044]["trackingTyp"] = "DEFAULT"
    response = TestClient(app, headers=AUTH).get("/v3/targetGroups/18044")
    assert response.status_code == 200 and "trackingTyp" not in response.json()["data"]
    assert app.state.violations == []


def test_strict_mode_judges_an_undocumented_property_as_an_error(spec: Spec) -> None:
    """A reply that did carry an invented field (the self-check sees the bytes) is a loud 500."""
    from starlette.requests import Request
    from starlette.responses import Response

    from contracts.mock.selfcheck import SelfCheck

    check = SelfCheck(spec)
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/v3/targetGroups/channels",
        "headers": [],
        "query_string": b"",
    }
    body = b'{"data":[{"id":1,"name":"SMS","nmae":"x"}],"errors":null,"warnings":null}'
    reply = check.verify(
        spec.operation("get-target-channels"),
        Request(scope),
        Response(body, 200, media_type="application/json"),
    )
    assert reply.status_code == 500 and b"undocumented_property /data/0/nmae" in bytes(reply.body)
    assert [(v.check, v.severity) for v in check.violations] == [("undocumented_property", "error")]
