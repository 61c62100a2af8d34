"""Refactors that leave the contract as it was diff clean; breaking changes hidden behind a ``$ref``
or an ``allOf`` are still caught; the project's own allOf refactor (2dac16b) diffs clean."""

from __future__ import annotations

import copy
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from contracts.cli import main
from contracts.diff import Change, diff
from contracts.spec import DEFAULT_SPEC_PATH, Spec

Raw = dict[str, Any]
Edit = Callable[[Raw], object]
REF = "#/components/schemas/"
GROUP = "/v3/targetGroups/{targetGroupId}"
PERIODS = "/v3/targetGroups/{targetGroupId}/targetPeriods"
JSON = "application/json"


def schemas(raw: Raw) -> dict[str, Any]:
    found: dict[str, Any] = raw["components"]["schemas"]
    return found


def walk(node: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    """Call ``visit`` on every object of ``node``, depth first."""
    if isinstance(node, dict):
        visit(node)
        for value in list(node.values()):
            walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            walk(value, visit)


def rename(raw: Raw, old: str, new: str) -> None:
    """Rename a schema component and every ``$ref`` to it."""
    table = schemas(raw)
    table[new] = table.pop(old)

    def visit(node: dict[str, Any]) -> None:
        if node.get("$ref") == REF + old:
            node["$ref"] = REF + new

    walk(raw, visit)


def inline(raw: Raw, name: str) -> None:
    """Replace every ``$ref`` to a (non-recursive) component by a copy of it."""
    target = schemas(raw)[name]

    def visit(node: dict[str, Any]) -> None:
        if node.get("$ref") == REF + name:
            del node["$ref"]
            node.update(copy.deepcopy(target))

    walk(raw["paths"], visit)
    walk({k: v for k, v in schemas(raw).items() if k != name}, visit)


def extract(raw: Raw) -> None:
    """Move an inline request schema and an inline property into components, referenced."""
    body = raw["paths"][PERIODS]["put"]["requestBody"]["content"][JSON]
    schemas(raw)["PeriodList"] = body["schema"]
    body["schema"] = {"$ref": REF + "PeriodList"}
    props = schemas(raw)["TargetGroup"]["properties"]
    inline_name = next(n for n, s in props.items() if isinstance(s, dict) and "$ref" not in s)
    schemas(raw)["Extracted"] = props[inline_name]
    props[inline_name] = {"$ref": REF + "Extracted"}


def split_all_of(raw: Raw, name: str) -> None:
    """``name`` as ``allOf`` of a base component (half the fields) and an inline part (the rest)."""
    schema = schemas(raw)[name]
    names = list(schema["properties"])
    first, rest = names[: len(names) // 2], names[len(names) // 2 :]
    required = schema.get("required", [])
    base = {
        "type": schema["type"],
        "properties": {n: schema["properties"][n] for n in first},
        "required": [n for n in required if n in first],
    }
    schemas(raw)[name + "Base"] = base
    schemas(raw)[name] = {
        "description": schema.get("description", ""),
        "allOf": [
            {"$ref": REF + name + "Base"},
            {
                "properties": {n: schema["properties"][n] for n in rest},
                "required": [n for n in required if n in rest],
            },
        ],
    }


def merge_all_of(raw: Raw, name: str) -> None:
    """An ``allOf`` component written as one object schema."""
    merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}

    def add(part: dict[str, Any]) -> None:
        if "$ref" in part:
            add(schemas(raw)[part["$ref"][len(REF) :]])
        for sub in part.get("allOf", []):
            add(sub)
        for key, value in part.get("properties", {}).items():
            if key in merged["properties"]:
                merged["properties"][key] = {"allOf": [merged["properties"][key], value]}
            else:
                merged["properties"][key] = value
        merged["required"] += [n for n in part.get("required", []) if n not in merged["required"]]

    add(schemas(raw)[name])
    schemas(raw)[name] = merged


def reorder(raw: Raw) -> None:
    """Reverse every object's key order and every enum and required list; paths too."""

    def visit(node: dict[str, Any]) -> None:
        items = list(node.items())
        node.clear()
        node.update(reversed(items))
        for key in ("enum", "required"):
            if isinstance(node.get(key), list):
                node[key].reverse()

    walk(raw, visit)


def rename_path_parameter(raw: Raw) -> None:
    """``{targetGroupId}`` → ``{groupId}`` in the path and its parameter (the same URL for clients)."""
    old = GROUP
    item = raw["paths"].pop(old)
    for method in ("get", "put", "delete"):
        for param in item.get(method, {}).get("parameters", []):
            if param.get("name") == "targetGroupId":
                param["name"] = "groupId"
    raw["paths"]["/v3/targetGroups/{groupId}"] = item


def every(refactor: Callable[[Raw, str], None], applies: Callable[[dict[str, Any]], bool]) -> Edit:
    """``refactor`` applied to every schema component it applies to, one after the other."""

    def edit(raw: Raw) -> None:
        for name in list(schemas(raw)):
            if name in schemas(raw) and applies(schemas(raw)[name]):
                refactor(raw, name)

    return edit


def _splittable(schema: dict[str, Any]) -> bool:
    return "type" in schema and len(schema.get("properties", {})) > 1


REFACTORS: dict[str, Edit] = {
    "rename every component": every(lambda r, n: rename(r, n, n + "Renamed"), lambda s: True),
    "split every object component into allOf": every(split_all_of, _splittable),
    "merge every allOf component": every(merge_all_of, lambda s: "allOf" in s),
    "inline every enum component": every(inline, lambda s: "enum" in s),
    "extract to a component": extract,
    "inline a $ref (TargetGroup everywhere)": lambda r: inline(r, "TargetGroup"),
    "inline a $ref (TrackingType enum)": lambda r: inline(r, "TrackingType"),
    "split into allOf (TargetGroup)": lambda r: split_all_of(r, "TargetGroup"),
    "split into allOf (TargetGroupFields)": lambda r: split_all_of(r, "TargetGroupFields"),
    "merge allOf (TargetGroupCreateRequest)": lambda r: merge_all_of(r, "TargetGroupCreateRequest"),
    "merge allOf (TargetGroupEnvelope)": lambda r: merge_all_of(r, "TargetGroupEnvelope"),
    "reorder properties, enums, required, paths": reorder,
    "rename a component everywhere": lambda r: rename(r, "TargetGroup", "TargetGroupView"),
    "rename an enum component everywhere": lambda r: rename(r, "TrackingType", "Tracking"),
    "rename a path parameter": rename_path_parameter,
}


def edited(spec: Spec, *edits: Edit) -> Spec:
    raw = copy.deepcopy(spec.raw)
    for edit in edits:
        edit(raw)
    return Spec(raw)


@pytest.mark.parametrize("name", list(REFACTORS))
def test_refactor_diffs_clean(spec: Spec, name: str) -> None:
    after = edited(spec, REFACTORS[name])
    assert after.raw != spec.raw  # the refactor did something
    assert diff(spec, after) == []
    assert diff(after, spec) == []


# breaking class → (component the edit touches, the edit); each is also hidden behind a $ref and an allOf
HIDDEN: dict[str, tuple[str, Edit]] = {
    "property-removed": ("TargetGroup", lambda r: schemas(r)["TargetGroup"]["properties"].pop("fromDate")),
    "property-now-optional": ("TargetGroup", lambda r: schemas(r)["TargetGroup"]["required"].remove("name")),
    "now-nullable": (
        "TargetGroup",
        lambda r: schemas(r)["TargetGroup"]["properties"].update(name={"type": ["string", "null"]}),
    ),
    "type-changed": (
        "TargetGroup",
        lambda r: schemas(r)["TargetGroup"]["properties"].update(totalPeriods={"type": "string"}),
    ),
    "property-now-required": (
        "TargetGroupFields",
        lambda r: schemas(r)["TargetGroupFields"].update(required=["trackingType"]),
    ),
    "property-added": (
        "TargetGroupFields",
        lambda r: (
            schemas(r)["TargetGroupFields"]["properties"].update(color={"type": "string"}),
            schemas(r)["TargetGroupFields"].update(required=["color"]),
        ),
    ),
    "enum-value-removed": ("WindowType", lambda r: schemas(r)["WindowType"]["enum"].remove("MAX")),
    "enum-value-added": (
        "TrackedEventName",
        lambda r: schemas(r)["TrackedEventName"]["enum"].append("REDEEM"),
    ),
    "enum-added": (
        "TargetRequest",
        lambda r: schemas(r)["TargetRequest"]["properties"].update(
            eventName={"type": "string", "enum": ["E"]}
        ),
    ),
    "enum-removed": (
        "MilestoneTrigger",
        lambda r: schemas(r)["MilestoneTrigger"]["properties"].update(triggerType={"type": "string"}),
    ),
}


def behind_ref(name: str) -> Edit:
    """``name`` becomes a ``$ref`` to ``<name>Inner``, which holds it."""

    def edit(raw: Raw) -> None:
        schemas(raw)[name + "Inner"] = schemas(raw)[name]
        schemas(raw)[name] = {"$ref": REF + name + "Inner"}

    return edit


def behind_all_of(name: str) -> Edit:
    """``name`` becomes ``allOf`` parts: a split when it has fields, else ``allOf: [{$ref: <name>Inner}]``."""

    def edit(raw: Raw) -> None:
        if "properties" in schemas(raw)[name] and "type" in schemas(raw)[name]:
            split_all_of(raw, name)
        else:
            behind_ref(name)(raw)
            schemas(raw)[name] = {"allOf": [schemas(raw)[name], {"description": "split"}]}

    return edit


def _breaks(changes: list[Change], kind: str) -> bool:
    return any(c.breaking and c.kind == kind for c in changes)


@pytest.mark.parametrize("hide", ["plain", "$ref", "allOf"])
@pytest.mark.parametrize("kind", list(HIDDEN))
def test_breaking_change_is_caught_wherever_it_is_written(spec: Spec, kind: str, hide: str) -> None:
    name, edit = HIDDEN[kind]
    hiding = {"plain": [], "$ref": [behind_ref(name)], "allOf": [behind_all_of(name)]}[hide]
    assert _breaks(diff(spec, edited(spec, edit, *hiding)), kind)
    # and from a refactored OLD to the plain, broken NEW
    assert _breaks(diff(edited(spec, *hiding), edited(spec, edit)), kind)


def _param_component(raw: Raw) -> dict[str, Any]:
    """The includePeriods query parameter of get-target-groups-id, moved to components.parameters."""
    params = raw["paths"][GROUP]["get"]["parameters"]
    raw["components"].setdefault("parameters", {})["IncludePeriods"] = params[1]
    params[1] = {"$ref": "#/components/parameters/IncludePeriods"}
    found: dict[str, Any] = raw["components"]["parameters"]["IncludePeriods"]
    return found


def _body_component(raw: Raw) -> dict[str, Any]:
    """The create request body moved to components.requestBodies."""
    op = raw["paths"]["/v3/targetGroups"]["post"]
    raw["components"].setdefault("requestBodies", {})["Create"] = op["requestBody"]
    op["requestBody"] = {"$ref": "#/components/requestBodies/Create"}
    found: dict[str, Any] = raw["components"]["requestBodies"]["Create"]
    return found


def _flag_schema(raw: Raw, param: dict[str, Any]) -> None:
    schemas(raw)["Flag"] = param["schema"]
    param["schema"] = {"allOf": [{"$ref": REF + "Flag"}]}


def _flag_now_string(raw: Raw) -> None:
    """includePeriods' schema behind components.parameters, an allOf and a schema $ref, now a string."""
    _flag_schema(raw, _param_component(raw))
    schemas(raw)["Flag"].update(type="string")


# classes carried by parameters, bodies and responses, hidden behind components.* and allOf
OUTSIDE_SCHEMAS: list[tuple[str, str, Edit]] = [
    ("parameter-now-required", "$ref", lambda r: _param_component(r).update(required=True)),
    (
        "parameter-removed",
        "$ref",
        lambda r: (_param_component(r), r["paths"][GROUP]["get"]["parameters"].pop(1)),
    ),
    (
        "parameter-added",
        "$ref",
        lambda r: (
            r["components"].update(parameters={"Org": {"name": "org", "in": "query", "required": True}}),
            r["paths"][GROUP]["get"]["parameters"].append({"$ref": "#/components/parameters/Org"}),
        ),
    ),
    ("type-changed", "$ref + allOf", _flag_now_string),
    (
        "property-now-required",
        "requestBodies $ref + allOf",
        lambda r: _body_component(r)["content"][JSON].update(
            schema={"allOf": [{"$ref": REF + "TargetGroupCreateRequest"}, {"required": ["trackingType"]}]}
        ),
    ),
    (
        "property-removed",
        "$ref response",
        lambda r: schemas(r)["Envelope"]["properties"].pop("warnings"),
    ),
    (
        "status-removed",
        "$ref response",
        lambda r: r["paths"][GROUP]["get"]["responses"].pop("404"),
    ),
]


@pytest.mark.parametrize(
    ("kind", "how", "edit"), OUTSIDE_SCHEMAS, ids=[f"{k} ({h})" for k, h, _ in OUTSIDE_SCHEMAS]
)
def test_breaking_change_outside_schemas_is_caught_behind_components(
    spec: Spec, kind: str, how: str, edit: Edit
) -> None:
    assert _breaks(diff(spec, edited(spec, edit)), kind)


def test_moving_parameters_and_bodies_to_components_diffs_clean(spec: Spec) -> None:
    after = edited(spec, _body_component, lambda r: _flag_schema(r, _param_component(r)))
    assert diff(spec, after) == []


def _git_show(rev: str) -> str | None:
    root = DEFAULT_SPEC_PATH.parent.parent
    if shutil.which("git") is None:
        return None
    shown = subprocess.run(
        ["git", "show", f"{rev}:spec/v3.json"], cwd=root, capture_output=True, text=True, check=False
    )
    return shown.stdout if shown.returncode == 0 else None


def test_the_projects_own_all_of_refactor_diffs_clean() -> None:
    """2dac16b moved the create and update bodies onto TargetGroupFields (allOf): the same contract."""
    before, after = _git_show("2dac16b~1"), _git_show("2dac16b")
    if before is None or after is None:
        pytest.skip("needs a git checkout holding commit 2dac16b")
    old, new = Spec.from_text(before), Spec.from_text(after)
    assert (
        old.raw["components"]["schemas"]["TargetGroupCreateRequest"]
        != new.raw["components"]["schemas"]["TargetGroupCreateRequest"]
    )
    assert diff(old, new) == []
    assert diff(new, old) == []


def test_the_projects_own_refactor_through_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    if _git_show("2dac16b~1") is None:
        pytest.skip("needs a git checkout holding commit 2dac16b")
    assert main(["--spec", str(DEFAULT_SPEC_PATH), "diff", "2dac16b~1", "2dac16b"]) == 0
    assert capsys.readouterr().out == "0 breaking, 0 non-breaking change(s)\n"
