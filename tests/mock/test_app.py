"""The mock's behaviour through starlette's TestClient: state, errors with documented codes, auth."""

from __future__ import annotations

import base64
import copy
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from contracts.mock import create_app, guard, serve_in_thread
from contracts.spec import Spec

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"
AUTH = {"Authorization": "Basic " + base64.b64encode(b"anyone:anything").decode()}


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


@pytest.fixture
def app(spec: Spec) -> Any:
    return create_app(spec, strict=True)


@pytest.fixture
def client(app: Any) -> TestClient:
    return TestClient(app, headers=AUTH)


def code(response: Any) -> int:
    errors = response.json()["errors"]
    assert response.json()["data"] is None
    assert len(errors) == 1
    return int(errors[0]["code"])


def create(
    client: TestClient, name: str, variant: str = "create-target-groups__request__ok__1"
) -> dict[str, Any]:
    body = payload(variant)
    body["name"] = name
    response = client.post("/v3/targetGroups", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def test_documented_ids_answer_from_the_start(client: TestClient) -> None:
    for group_id in (18044, 2911, 2913, 20):
        assert client.get(f"/v3/targetGroups/{group_id}").status_code == 200
    assert client.get("/v3/targetGroups/channels").json()["data"][0]["name"] == "SMS"


def test_empty_starts_with_nothing(spec: Spec) -> None:
    client = TestClient(create_app(spec, empty=True), headers=AUTH)
    assert client.get("/v3/targetGroups").json()["data"] == []
    assert code(client.get("/v3/targetGroups/18044")) == 310017


@pytest.mark.parametrize(
    "variant",
    [
        "create-target-groups__request__ok__1",
        "create-unified-targets__request__ok__1",
        "create-streak__request__ok__1",
        "create-target-group-based-on-behavioural-event__request__ok__1",
        "create-target-based-on-emf-eventss__request__ok__1",
        "create-target-based-on-alternate-currencies__request__ok__1",
    ],
)
def test_get_after_create_returns_what_was_created(client: TestClient, variant: str) -> None:
    request = payload(variant)
    created = create(client, f"new {variant}", variant)
    params = {"includePeriods": "true", "includeUserCreatedTargetGroups": "true"}
    got = client.get(f"/v3/targetGroups/{created['id']}", params=params).json()["data"]
    assert got["name"] == f"new {variant}"
    assert len(got["periods"]) == len(request.get("periods", []))
    assert [t["name"] for t in got["targets"]] == [t["name"] for t in request.get("targets", [])]
    assert all(p["startDate"] == p["startDate"][:10] for p in got["periods"])
    assert all(t["targetGroupId"] == created["id"] for t in got["targets"])
    targets = client.get(f"/v3/targetGroups/{created['id']}/targets").json()["data"]
    assert {t["id"] for t in targets} == {t["id"] for t in got["targets"]}
    if request.get("streaks"):
        assert [s["targetCountOfSequence"] for s in got["streaks"]] == [
            s["targetCountOfSequence"] for s in request["streaks"]
        ]
    if request.get("trackingType") == "UNIFIED":
        assert got["unifiedTargetExpression"]["ruleExpression"].count("&") == len(targets) - 1
    periods = {p["id"] for p in got["periods"]}
    for target in targets:
        assert set(map(int, target["targetPeriodDefaultValuesMap"])) <= periods


def test_update_changes_only_editable_fields(client: TestClient) -> None:
    created = create(client, "editable")
    target = created["targets"][0]
    body = {**created, "name": "edited", "description": "new", "totalPeriods": 99, "trackingType": "STREAKS"}
    body["targets"] = [{**target, "expression": "currentTxn.value>1", "targetType": "COUNT"}]
    body.pop("periods")
    updated = client.put(f"/v3/targetGroups/editTargetGroup/{created['id']}", json=body).json()["data"]
    assert (updated["name"], updated["description"]) == ("edited", "new")
    assert updated["trackingType"] == created["trackingType"]
    assert updated["totalPeriods"] == created["totalPeriods"]
    assert updated["targets"][0]["expression"] == "currentTxn.value>1"
    assert updated["targets"][0]["targetType"] == target["targetType"]


def test_delete_then_404(client: TestClient) -> None:
    created = create(client, "doomed")
    assert client.delete(f"/v3/targetGroups/{created['id']}").json()["data"] is True
    assert code(client.get(f"/v3/targetGroups/{created['id']}")) == 310017
    assert client.get(f"/v3/targetGroups/{created['id']}").status_code == 404
    assert code(client.get(f"/v3/targetGroups/{created['id']}/targets")) == 310017


def test_periods_update_rules(client: TestClient) -> None:
    created = create(client, "periods")
    running, upcoming = created["periods"][0], created["periods"][1]
    body = [
        {"id": running["id"], "startDate": "2030-01-01", "endDate": "2030-02-01"},
        {"id": upcoming["id"], "startDate": "2030-03-01", "endDate": "2030-04-01"},
    ]
    first, second = client.put(f"/v3/targetGroups/{created['id']}/targetPeriods", json=body).json()["data"]
    assert (first["startDate"], first["endDate"]) == (running["startDate"], "2030-02-01")
    assert (second["startDate"], second["endDate"]) == ("2030-03-01", "2030-04-01")
    assert (
        code(client.put(f"/v3/targetGroups/{created['id']}/targetPeriods", json=[{**body[0], "id": 1}]))
        == 310019
    )


def test_modify_and_deactivate_target(client: TestClient) -> None:
    created = create(client, "targets")
    path = f"/v3/targetGroups/{created['id']}/targets/{created['targets'][0]['id']}"
    modified = client.put(path, json={**payload("edit-streaks__request__ok__1"), "name": "renamed"}).json()[
        "data"
    ]
    assert modified["name"] == "renamed"
    assert modified["defaultValues"][0]["defaultValue"] == 1.0
    assert client.delete(path).json()["data"] is True
    assert client.get(f"/v3/targetGroups/{created['id']}/targets").json()["data"][0]["active"] is False
    # a soft delete (x-soft-delete): still readable, its communications too; includeOnlyActive leaves it out
    assert client.get(f"{path}/communications").status_code == 200
    group = f"/v3/targetGroups/{created['id']}"
    assert [t["active"] for t in client.get(group).json()["data"]["targets"]] == [False]
    assert client.get(group, params={"includeOnlyActive": "true"}).json()["data"]["targets"] == []
    assert (
        code(
            client.put(
                f"/v3/targetGroups/{created['id']}/targets/1", json=payload("edit-streaks__request__ok__1")
            )
        )
        == 310018
    )


def test_communications_upsert_inserts_then_updates(client: TestClient) -> None:
    created = create(client, "comms")
    base = f"/v3/targetGroups/{created['id']}/targets/{created['targets'][0]['id']}/communications"
    first = client.post(f"{base}/upsert", json=payload("get-target-upload-file__request__ok__1")).json()[
        "data"
    ]
    changed = copy.deepcopy(payload("get-target-upload-file__request__ok__1"))
    changed[0]["subjectTemplate"] = "changed"
    second = client.post(f"{base}/upsert", json=changed).json()["data"]
    assert [c["id"] for c in first] == [c["id"] for c in second]
    templates = client.get(base).json()["data"]
    assert [t["subjectTemplate"] for t in templates] == ["changed"]


def test_enrol_and_user_views(client: TestClient) -> None:
    created = create(client, "enrol")
    target = created["targets"][0]
    enroll = f"/v3/targetGroups/{created['id']}/targets/{target['id']}/enroll"
    assert client.post(enroll, json=[{"customerId": 42, "periodName": "Cycle_1"}]).json()["data"] == 42
    assert code(client.post(enroll, json=[{"customerId": 42, "periodName": "Cycle_1"}])) == 310119
    assert code(client.post(enroll, json=[{"customerId": 43, "periodName": "nope"}])) == 310019
    assert [t["id"] for t in client.get("/v3/users/42/enrolledTargets").json()["data"]] == [target["id"]]
    groups = client.get("/v3/users/42/targetGroups").json()["data"]["targetGroups"]
    assert [g["id"] for g in groups] == [created["id"]]
    unenroll = f"/v3/targetGroups/{created['id']}/targets/{target['id']}/unEnroll"
    assert client.post(unenroll, json=[{"customerId": 42}]).json()["data"] == 42
    assert client.get("/v3/users/42/enrolledTargets").json()["data"] == []


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        ("GET", "/v3/targetGroups/999999999", None, 310017),
        ("GET", "/v3/targetGroups/abc", None, 300004),
        ("POST", "/v3/targetGroups", "{not json", 300004),
        ("POST", "/v3/targetGroups", {"name": 5, "totalPeriods": 1}, 300004),
        ("POST", "/v3/targetGroups", {"name": "x" * 201, "totalPeriods": 1}, 310008),
        ("GET", "/v3/users/abc/enrolledTargets", None, 310011),
        ("GET", "/v3/users/0/enrolledTargets", None, 310011),
        ("GET", "/v3/users/5/enrolledTargets?enrollmentType=BOGUS", None, 310130),
        (
            "POST",
            "/v3/targetGroups/18044/targets",
            [{"name": "t", "targetEntity": "TRANSACTION", "targetType": "EXTENDED_FIELD"}],
            310094,
        ),
    ],
)
def test_documented_error_codes(client: TestClient, method: str, path: str, body: Any, expected: int) -> None:
    kwargs: dict[str, Any] = (
        {"content": body} if isinstance(body, str) else ({"json": body} if body is not None else {})
    )
    response = client.request(method, path, **kwargs)
    assert code(response) == expected
    assert response.status_code == (404 if expected == 310017 else 400)


def test_duplicate_name_is_310069(client: TestClient) -> None:
    create(client, "Unique Name")
    body = {**payload("create-target-groups__request__ok__1"), "name": "unique name"}
    assert code(client.post("/v3/targetGroups", json=body)) == 310069


def test_auth(spec: Spec) -> None:
    open_app = TestClient(create_app(spec))
    assert open_app.get("/v3/targetGroups/channels").status_code == 401
    assert (
        open_app.get("/v3/targetGroups/channels", headers={"Authorization": "Bearer t0k"}).status_code == 200
    )
    locked = TestClient(create_app(spec, credentials=("me", "secret")))
    good = {"Authorization": "Basic " + base64.b64encode(b"me:secret").decode()}
    assert locked.get("/v3/targetGroups/channels", headers=good).status_code == 200
    assert code(locked.get("/v3/targetGroups/channels", headers=AUTH)) == 401
    assert locked.get("/v3/targetGroups/channels", headers={"Authorization": "Bearer t0k"}).status_code == 401


def test_unknown_path_and_method(client: TestClient) -> None:
    assert client.get("/v3/nothing").status_code == 404
    response = client.patch("/v3/targetGroups/channels")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


def test_store_cap_is_a_clear_documented_error(spec: Spec) -> None:
    client = TestClient(create_app(spec, empty=True, max_entities=3), headers=AUTH)
    response = client.post("/v3/targetGroups", json=payload("create-target-groups__request__ok__1"))
    assert code(response) == 300004
    assert "store is full" in response.json()["errors"][0]["message"]


def test_concurrent_creates_get_unique_ids(spec: Spec) -> None:
    app = create_app(spec, strict=True)
    ids: list[int] = []
    failures: list[int] = []

    def worker(n: int) -> None:
        with TestClient(app, headers=AUTH) as c:
            for i in range(5):
                body = {**payload("create-streak__request__ok__1"), "name": f"concurrent {n}-{i}"}
                r = c.post("/v3/targetGroups", json=body)
                (
                    ids.append(r.json()["data"]["id"])
                    if r.status_code == 200
                    else failures.append(r.status_code)
                )

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len(ids) == len(set(ids)) == 40
    assert app.state.violations == []


def test_served_on_a_real_port(spec: Spec) -> None:
    import httpx

    with serve_in_thread(create_app(spec)) as url:
        response = httpx.get(f"{url}/v3/targetGroups/18044", headers=AUTH)
    assert response.status_code == 200
    assert response.json()["data"]["id"] == 18044


def test_strict_mode_turns_a_bad_reply_into_a_loud_500(spec: Spec) -> None:
    app = create_app(spec, strict=True)
    app.state.store.groups[18044]["trackingType"] = "Streaks"
    response = TestClient(app, headers=AUTH).get("/v3/targetGroups/18044")
    assert response.status_code == 500
    assert "enum_value_documented" in response.text
    assert app.state.violations[0].check == "enum_value_documented"


def test_the_guard_matches_and_reads_once_for_the_app(spec: Spec, monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard hands its match and the body it read to the app: one ``spec.match`` a request."""
    matched: list[str] = []
    match = spec.match

    def counted(method: str, path: str) -> Any:
        matched.append(path)
        return match(method, path)

    monkeypatch.setattr(spec, "match", counted)
    client = TestClient(create_app(spec), headers=AUTH)
    for _ in range(2):  # a path's match, ids included, is remembered
        assert client.get("/v3/targetGroups/18044").json()["data"]["id"] == 18044
    created = create(client, "matched once")
    assert client.get(f"/v3/targetGroups/{created['id']}").json()["data"]["name"] == "matched once"
    assert matched == ["/v3/targetGroups/18044", "/v3/targetGroups", f"/v3/targetGroups/{created['id']}"]


def test_the_guard_s_matches_are_bounded_and_read_only(spec: Spec, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard, "MATCHES", 3)
    app = create_app(spec)
    client = TestClient(app, headers=AUTH)
    for group_id in (18044, 2911, 2913, 20, 18044):
        assert client.get(f"/v3/targetGroups/{group_id}").status_code == 200
    assert len(app._matches) <= 3
    found = app._match("GET", "/v3/targetGroups/18044")
    assert found is not None and found[1] == {"targetGroupId": "18044"}
    with pytest.raises(TypeError):
        found[1]["targetGroupId"] = "1"  # type: ignore[index]


def test_the_app_alone_matches_and_reads_for_itself(spec: Spec) -> None:
    """Without the guard in front (no match or body in the scope) the app does both itself."""
    client = TestClient(create_app(spec).app)
    created = create(client, "no guard")
    assert client.get(f"/v3/targetGroups/{created['id']}").json()["data"]["name"] == "no guard"
    assert client.get("/v3/nothing").status_code == 404
