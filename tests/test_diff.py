"""`contracts diff` finds each breaking class and passes non-breaking edits."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contracts.cli import main
from contracts.diff import diff
from contracts.spec import Spec

Edit = Callable[[dict[str, Any]], None]
GROUP_GET = ("/v3/targetGroups/{targetGroupId}", "get")


def op(raw: dict[str, Any], path: str = GROUP_GET[0], method: str = GROUP_GET[1]) -> dict[str, Any]:
    result: dict[str, Any] = raw["paths"][path][method]
    return result


def schemas(raw: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = raw["components"]["schemas"]
    return result


BREAKING: dict[str, Edit] = {
    "operation-removed": lambda r: r["paths"].pop("/v3/targetGroups/channels"),
    "parameter-removed": lambda r: op(r)["parameters"].pop(1),
    "parameter-added": lambda r: op(r)["parameters"].append(
        {"name": "org", "in": "query", "required": True, "schema": {"type": "string"}}
    ),
    "parameter-type-changed": lambda r: op(r)["parameters"][1].update(schema={"type": "string"}),
    "status-removed": lambda r: op(r)["responses"].pop("404"),
    "error-code-added": lambda r: op(r)["x-error-codes"].append(310069),
    "error-code-removed": lambda r: op(r)["x-error-codes"].remove(310017),
    "property-removed": lambda r: schemas(r)["TargetGroup"]["properties"].pop("fromDate"),
    "property-type-changed": lambda r: schemas(r)["TargetGroup"]["properties"].update(
        totalPeriods={"type": "string"}
    ),
    "property-now-required": lambda r: schemas(r)["TargetGroupCreateRequest"]["allOf"][1]["required"].append(
        "trackingType"
    ),
    "property-now-optional": lambda r: schemas(r)["TargetGroup"]["required"].remove("name"),
    "enum-value-removed": lambda r: schemas(r)["TrackingType"]["enum"].remove("CAPPING"),
    "enum-value-added": lambda r: schemas(r)["PeriodStatus"]["enum"].append("PAUSED"),
    "error-code-status-changed": lambda r: r["components"]["x-error-codes"]["310069"].update(status=409),
}

NON_BREAKING: dict[str, Edit] = {
    "optional response field added": lambda r: schemas(r)["TargetGroup"]["properties"].update(
        color={"type": "string"}
    ),
    "operation added": lambda r: r["paths"].update(
        {"/v3/extra": {"get": copy.deepcopy(op(r, "/v3/targetGroups/channels"))}}
    ),
    "optional parameter added": lambda r: op(r)["parameters"].append(
        {"name": "x", "in": "query", "schema": {"type": "string"}}
    ),
    "description edited": lambda r: op(r).update(description="New words."),
    "status added": lambda r: op(r)["responses"].update({"429": op(r)["responses"]["403"]}),
}


@pytest.mark.parametrize("kind", list(BREAKING))
def test_breaking_change_is_detected(spec: Spec, kind: str) -> None:
    raw = copy.deepcopy(spec.raw)
    BREAKING[kind](raw)
    changes = diff(spec, Spec(raw))
    assert any(c.breaking and c.kind == kind for c in changes), changes
    assert all(c.pointer.startswith("/") for c in changes)


@pytest.mark.parametrize("name", list(NON_BREAKING))
def test_non_breaking_edit_passes(spec: Spec, name: str) -> None:
    raw = copy.deepcopy(spec.raw)
    NON_BREAKING[name](raw)
    assert [c for c in diff(spec, Spec(raw)) if c.breaking] == []


def test_identical_specs_have_no_changes(spec: Spec) -> None:
    assert diff(spec, Spec(copy.deepcopy(spec.raw))) == []


def test_cli_exit_codes(spec: Spec, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert spec.path is not None
    raw = copy.deepcopy(spec.raw)
    BREAKING["enum-value-removed"](raw)
    new = tmp_path / "new.json"
    new.write_text(json.dumps(raw))
    assert main(["diff", str(spec.path), str(new)]) == 1
    out = capsys.readouterr().out
    assert "BREAKING enum-value-removed /components/schemas/TrackingType/enum" in out
    assert main(["diff", str(spec.path), str(spec.path)]) == 0
    assert main(["diff", "HEAD", str(spec.path), "--format", "json"]) in (0, 1)
    capsys.readouterr()
    assert main(["diff", "no-such-ref-xyz"]) == 2
    assert "neither a file nor a git ref" in capsys.readouterr().err
