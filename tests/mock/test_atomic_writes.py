"""A refused write changes nothing: a create that stored a group and its first target before a business rule
refused the second answered 400 and kept both (``contracts run``'s cleanup never knew of them: the
flaky "every created target is deactivated" of tests/runner/test_runner.py); a batch update that changed
its first records before refusing an unknown id kept the changes."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from contracts.mock import create_app
from contracts.spec import Spec

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()}


def _snapshot(store: Any) -> tuple[Any, ...]:
    return (
        copy.deepcopy(store.groups),
        copy.deepcopy(store.periods),
        copy.deepcopy(store.targets),
        dict(store.names),
    )


def _rule_code(spec: Spec, rule: str) -> int:
    raw = spec.operation("create-target-groups").raw
    return int(next(r["code"] for r in raw["x-rules"] if r["rule"] == rule))


def test_a_create_refused_half_way_leaves_nothing(spec: Spec) -> None:
    app = create_app(spec, credentials=("u", "p"))
    client = TestClient(app, headers=AUTH)
    body = json.loads((ROOT / "tests/payloads/create-target-groups__request__ok__1.json").read_text())
    body["name"] = "half-made"
    refused = {**body["targets"][0], "targetType": "EXTENDED_FIELD"}  # needs extendedFieldInfo (310094)
    refused.pop("extendedFieldInfo", None)
    body["targets"] = [body["targets"][0], refused]
    before = _snapshot(app.state.store)
    answer = client.post("/v3/targetGroups", json=body)
    assert answer.status_code == 400, answer.text
    assert [e["code"] for e in answer.json()["errors"]] == [_rule_code(spec, "extended-field-metadata")]
    assert _snapshot(app.state.store) == before
    body["targets"] = body["targets"][:1]  # the name was not kept either: the same create now passes
    made = client.post("/v3/targetGroups", json=body)
    assert made.status_code == 200, made.text
    assert len(app.state.store.groups) == len(before[0]) + 1


def test_a_create_that_passes_keeps_everything(spec: Spec) -> None:
    app = create_app(spec, credentials=("u", "p"))
    client = TestClient(app, headers=AUTH)
    body = json.loads((ROOT / "tests/payloads/create-target-groups__request__ok__1.json").read_text())
    body["name"] = "whole"
    groups, targets = len(app.state.store.groups), len(app.state.store.targets)
    assert client.post("/v3/targetGroups", json=body).status_code == 200
    assert (len(app.state.store.groups), len(app.state.store.targets)) == (groups + 1, targets + 1)


def _group_with_targets_and_periods(store: Any) -> tuple[int, int, int]:
    for gid in sorted(store.groups):
        targets = [t["id"] for t in store.targets_of(gid)]
        periods = [p["id"] for p in store.periods_of(gid)]
        if targets and periods:
            return gid, targets[0], periods[0]
    raise AssertionError("the seeded store has a group with targets and periods")


def test_an_update_refused_half_way_changes_nothing(spec: Spec) -> None:
    """update-unified-target changed the first target, then refused an unknown id in deactivateTargetIds;
    update-target-period changed the first period, then refused an unknown period: both kept the change."""
    app = create_app(spec, credentials=("u", "p"))
    client = TestClient(app, headers=AUTH)
    store = app.state.store
    group, target, period = _group_with_targets_and_periods(store)
    dates = {k: store.periods[period][k] for k in ("startDate", "endDate")}
    before = _snapshot(store)
    unified = client.post(
        f"/v3/targetGroups/{group}/unifiedTargets",
        json={"targets": [_unified_item(store.targets[target])], "deactivateTargetIds": [99999999]},
    )
    assert unified.status_code >= 400, unified.text
    assert _codes(unified) == [_code(spec, "update-unified-target", "known-targets")]
    renamed = {"id": period, "refCode": "renamed", **dates}
    periods = client.put(
        f"/v3/targetGroups/{group}/targetPeriods", json=[renamed, {**renamed, "id": 99999999}]
    )
    assert periods.status_code >= 400, periods.text
    assert _codes(periods) == [_code(spec, "update-target-period", "known-periods")]
    assert _snapshot(store) == before
    kept = client.put(f"/v3/targetGroups/{group}/targetPeriods", json=[renamed])
    assert kept.status_code == 200, kept.text  # the unknown period, not the known one, was refused


def _codes(answer: Any) -> list[int]:
    return [int(e["code"]) for e in answer.json()["errors"]]


def _code(spec: Spec, operation: str, rule: str) -> int:
    return int(next(r["code"] for r in spec.operation(operation).raw["x-rules"] if r["rule"] == rule))


def _unified_item(target: dict[str, Any]) -> dict[str, Any]:
    """The stored target as update-unified-target's seed payload sends one, renamed."""
    seed = json.loads((ROOT / "tests/payloads/update-unified-target__request__ok__1.json").read_text())
    item = {k: target[k] for k in seed["targets"][0] if k in target and k != "defaultValues"}
    return {**item, "name": "renamed"}
