"""Create, read, update, list and delete follow from method and path; ``x-behaviour`` only for the rest."""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest
from scripted_session import run
from starlette.testclient import TestClient

from contracts.errors import SpecError
from contracts.mock import create_app
from contracts.mock.facts import Collections, Facts
from contracts.mock.handlers import CREATE, DEACTIVATE, DELETE, LIST, READ, UPDATE, implied
from contracts.spec import Spec

AUTH = {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()}
TARGETS = "/v3/targetGroups/{targetGroupId}/targets"


def behaviour_of(spec: Spec, operation_id: str) -> str | None:
    collections = Collections.of(spec)
    return implied(Facts(spec, spec.operation(operation_id), collections), collections)


def test_method_and_path_imply_the_behaviour(spec: Spec) -> None:
    assert behaviour_of(spec, "create-target-groups") == CREATE
    assert behaviour_of(spec, "create-targets") == CREATE
    assert behaviour_of(spec, "get-target-groups-all") == LIST
    assert behaviour_of(spec, "get-targets") == LIST
    assert behaviour_of(spec, "get-target-groups-id") == READ
    assert behaviour_of(spec, "modify-target") == UPDATE
    assert behaviour_of(spec, "delete-target-group") == DELETE
    implied_ops = [op for op in spec.operations if "x-behaviour" not in op.raw]
    assert all(behaviour_of(spec, op.operation_id) is not None for op in implied_ops)


def test_a_soft_delete_is_what_the_spec_says_it_is(spec: Spec) -> None:
    """``x-soft-delete`` makes a DELETE deactivate: taken off deactivate-target in a copy it deletes;
    put on delete-target-group, the group stays with ``active: false``."""
    assert behaviour_of(spec, "deactivate-target") == DEACTIVATE
    raw = copy.deepcopy(spec.raw)
    del raw["paths"][TARGETS + "/{targetId}"]["delete"]["x-soft-delete"]
    raw["paths"]["/v3/targetGroups/{targetGroupId}"]["delete"]["x-soft-delete"] = "active"
    changed = Spec(raw)
    assert behaviour_of(changed, "deactivate-target") == DELETE
    assert behaviour_of(changed, "delete-target-group") == DEACTIVATE
    app = create_app(changed, credentials=("u", "p"))
    client = TestClient(app, headers=AUTH)
    store = app.state.store
    target = next(t for t in store.targets.values() if t["targetGroupId"] in store.groups)
    group_id = target["targetGroupId"]
    assert client.delete(f"/v3/targetGroups/{group_id}/targets/{target['id']}").json()["data"] is True
    assert target["id"] not in store.targets
    assert client.delete(f"/v3/targetGroups/{group_id}").json()["data"] is True
    reply = client.get(f"/v3/targetGroups/{group_id}")
    assert reply.status_code == 200 and reply.json()["data"]["active"] is False, reply.text


def test_a_malformed_soft_delete_is_one_spec_error(spec: Spec) -> None:
    raw = copy.deepcopy(spec.raw)
    raw["paths"][TARGETS + "/{targetId}"]["put"]["x-soft-delete"] = "active"  # not a DELETE
    with pytest.raises(SpecError, match=r"/put/x-soft-delete: on a DELETE, the name of the boolean"):
        create_app(Spec(raw), credentials=("u", "p"))


def test_x_behaviour_is_kept_only_where_nothing_is_implied_or_something_else_happens(spec: Spec) -> None:
    """A user's projection of groups (``/users/{userId}/targetGroups``) is no list of a group collection."""
    raw = copy.deepcopy(spec.raw)
    op = raw["paths"]["/v3/users/{userId}/targetGroups"]["get"]
    del op["x-behaviour"]
    assert behaviour_of(Spec(raw), "getusertargetgroupdetails") is None


def test_a_new_read_operation_needs_no_code(spec: Spec) -> None:
    """Add ``GET …/targets/{targetId}`` to a copy of the spec: the mock reads the target at once."""
    raw = copy.deepcopy(spec.raw)
    item = raw["paths"][TARGETS + "/{targetId}"]
    modify = item["put"]
    item["get"] = {
        "operationId": "get-target",
        "parameters": copy.deepcopy(modify["parameters"]),
        "responses": {"200": copy.deepcopy(modify["responses"]["200"])},
        "x-error-codes": copy.deepcopy(modify.get("x-error-codes", [])),
    }
    changed = Spec(raw)
    app = create_app(changed, credentials=("u", "p"))
    client = TestClient(app, headers=AUTH)
    target = next(t for t in app.state.store.targets.values() if t["targetGroupId"] in app.state.store.groups)
    reply = client.get(f"/v3/targetGroups/{target['targetGroupId']}/targets/{target['id']}")
    assert reply.status_code == 200, reply.text
    assert reply.json()["data"]["id"] == target["id"]


def test_the_scripted_session_is_clean_in_strict_mode(spec: Spec) -> None:
    """Every operation, happy and error paths (tests/mock/scripted_session.py): no 5xx, no strict violation, and
    every operation answers a success at least once."""
    log: list[dict[str, Any]] = run(spec, strict=True)
    assert [e["step"] for e in log if e["status"] >= 500] == []
    succeeded = {e["step"].split()[0] for e in log if e["status"] == 200}
    missing = {op.operation_id for op in spec.operations} - succeeded
    assert missing <= {"get-top-ranked-users", "update-unified-target", "get-target-events"}
