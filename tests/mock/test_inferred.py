"""Create, read, update, list and delete follow from method and path; ``x-behaviour`` only for the rest."""

from __future__ import annotations

import base64
import copy
from typing import Any

from scripted_session import run
from starlette.testclient import TestClient

from contracts.mock import create_app
from contracts.mock.facts import Collections, Facts
from contracts.mock.handlers import CREATE, DELETE, LIST, READ, UPDATE, implied
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


def test_x_behaviour_is_kept_only_where_nothing_is_implied_or_something_else_happens(spec: Spec) -> None:
    """A soft delete is a DELETE that does not delete: its x-behaviour says so; a user's projection of
    groups (``/users/{userId}/targetGroups``) is no list of a group collection."""
    assert behaviour_of(spec, "deactivate-target") == "deactivate"
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
