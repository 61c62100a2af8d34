"""A refused write changes nothing: a create that stored a group and its first target before a business rule
refused the second answered 400 and kept both (``contracts run``'s cleanup never knew of them: the
flaky "every created target is deactivated" of tests/runner/test_runner.py)."""

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
