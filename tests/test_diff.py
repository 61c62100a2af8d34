"""`contracts.diff` finds each breaking class and passes non-breaking edits (the table in docs/lint.md)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from contracts.diff import Change, diff
from contracts.spec import Spec

Edit = Callable[[dict[str, Any]], None]
GROUP = "/v3/targetGroups/{targetGroupId}"
PERIODS = "/v3/targetGroups/{targetGroupId}/targetPeriods"
JSON = "application/json"


def op(raw: dict[str, Any], path: str = GROUP, method: str = "get") -> dict[str, Any]:
    result: dict[str, Any] = raw["paths"][path][method]
    return result


def schemas(raw: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = raw["components"]["schemas"]
    return result


def inline_target_group(raw: dict[str, Any]) -> None:
    """Replace the $ref to TargetGroup in its envelope by an inline copy: the same contract."""
    schemas(raw)["TargetGroupEnvelope"]["allOf"][1]["properties"]["data"] = copy.deepcopy(
        schemas(raw)["TargetGroup"]
    )


# kind → an edit that makes (at least) that breaking change
BREAKING: dict[str, Edit] = {
    "path-removed": lambda r: r["paths"].pop("/v3/targetGroups/channels"),
    "operation-removed": lambda r: r["paths"][GROUP].pop("delete"),
    "parameter-removed": lambda r: op(r)["parameters"].pop(1),
    "parameter-added": lambda r: op(r)["parameters"].append(
        {"name": "org", "in": "query", "required": True, "schema": {"type": "string"}}
    ),
    "parameter-now-required": lambda r: op(r)["parameters"][1].update(required=True),
    "type-changed": lambda r: op(r)["parameters"][1].update(schema={"type": "string"}),
    "status-removed": lambda r: op(r)["responses"].pop("404"),
    "error-code-added": lambda r: op(r)["x-error-codes"].append(310069),
    "error-code-removed": lambda r: op(r)["x-error-codes"].remove(310017),
    "error-code-status-changed": lambda r: r["components"]["x-error-codes"]["310069"].update(status=409),
    "property-removed": lambda r: schemas(r)["TargetGroup"]["properties"].pop("fromDate"),
    "property-now-optional": lambda r: schemas(r)["TargetGroup"]["required"].remove("name"),
    "now-nullable": lambda r: schemas(r)["TargetGroup"]["properties"].update(
        name={"type": ["string", "null"]}
    ),
    "property-now-required": lambda r: schemas(r)["TargetGroupCreateRequest"]["allOf"][1]["required"].append(
        "trackingType"
    ),
    "property-added": lambda r: schemas(r)["TargetGroupCreateRequest"]["allOf"][1].update(
        properties={"color": {"type": "string"}}, required=["name", "totalPeriods", "color"]
    ),
    "enum-value-removed": lambda r: schemas(r)["WindowType"]["enum"].remove("MAX"),
    "enum-value-added": lambda r: schemas(r)["TrackedEventName"]["enum"].append("REDEEM"),
    "enum-added": lambda r: schemas(r)["TargetRequest"]["properties"].update(
        eventName={"type": "string", "enum": ["ENROL"]}
    ),
    "enum-removed": lambda r: schemas(r)["MilestoneTrigger"]["properties"].update(
        triggerType={"type": "string"}
    ),
    "request-body-added": lambda r: r["paths"][GROUP]["delete"].update(
        requestBody={"required": True, "content": {JSON: {"schema": {"type": "object"}}}}
    ),
}

# more breaking edits, each with the kind and pointer it must be reported with
BREAKING_AT: list[tuple[str, Edit, str, str]] = [
    (
        "response property type",
        lambda r: schemas(r)["TargetGroup"]["properties"].update(totalPeriods={"type": "string"}),
        "type-changed",
        "/components/schemas/TargetGroup/properties/totalPeriods",
    ),
    (
        "response now another component",
        lambda r: op(r)["responses"]["200"]["content"][JSON].update(
            schema={"$ref": "#/components/schemas/BooleanEnvelope"}
        ),
        "type-changed",
        "/components/schemas/BooleanEnvelope/allOf/1/properties/data",
    ),
    (
        "request array items (inline schema)",
        lambda r: op(r, PERIODS, "put")["requestBody"]["content"][JSON]["schema"].update(
            items={"type": "string"}
        ),
        "type-changed",
        "/paths/~1v3~1targetGroups~1{targetGroupId}~1targetPeriods/put/requestBody/content/application~1json/schema/items",
    ),
    (
        "shared enum, value added (clients receive it)",
        lambda r: schemas(r)["TrackingType"]["enum"].append("BONUS"),
        "enum-value-added",
        "/components/schemas/TrackingType/enum/5",
    ),
    (
        "shared enum, value removed (clients send it)",
        lambda r: schemas(r)["TrackingType"]["enum"].remove("CAPPING"),
        "enum-value-removed",
        "/components/schemas/TrackingType/enum/4",
    ),
    (
        "second error code added",
        lambda r: op(r)["x-error-codes"].extend([310069, 310008]),
        "error-code-added",
        "/paths/~1v3~1targetGroups~1{targetGroupId}/get/x-error-codes/" + "{last}",
    ),
]

NON_BREAKING: dict[str, Edit] = {
    "optional response field added": lambda r: schemas(r)["TargetGroup"]["properties"].update(
        color={"type": "string"}
    ),
    "response field made required": lambda r: schemas(r)["TargetGroup"]["required"].append("active"),
    "operation added": lambda r: r["paths"]["/v3/targetGroups/channels"].update(
        post=copy.deepcopy(op(r, "/v3/targetGroups/channels"))
    ),
    "path added": lambda r: r["paths"].update(
        {"/v3/extra": {"get": copy.deepcopy(op(r, "/v3/targetGroups/channels"))}}
    ),
    "optional parameter added": lambda r: op(r)["parameters"].append(
        {"name": "x", "in": "query", "schema": {"type": "string"}}
    ),
    "description edited": lambda r: op(r).update(description="New words."),
    "status added": lambda r: op(r)["responses"].update({"429": op(r)["responses"]["403"]}),
    "request-only enum value added": lambda r: schemas(r)["WindowType"]["enum"].append("AVG"),
    "response-only enum value removed": lambda r: schemas(r)["TrackedEventName"]["enum"].remove("UNENROL"),
    "request parameter widened": lambda r: op(r)["parameters"][1].update(
        schema={"type": ["boolean", "string"]}
    ),
    "response field narrowed": lambda r: schemas(r)["TargetGroup"]["properties"].update(
        description={"type": "string"}
    ),
    "request field no longer required": lambda r: schemas(r)["TargetGroupCreateRequest"]["allOf"][1].update(
        required=["name"]
    ),
    "component inlined": inline_target_group,
    "unused schema added": lambda r: schemas(r).update(Spare={"type": "string"}),
    "response field now an enum": lambda r: schemas(r)["Channel"]["properties"].update(
        name={"type": "string", "enum": ["SMS", "EMAIL"]}
    ),
    "operation deprecated": lambda r: op(r, "/v3/targetGroups/channels").update(deprecated=True),
}


def changed(spec: Spec, edit: Edit) -> list[Change]:
    raw = copy.deepcopy(spec.raw)
    edit(raw)
    return diff(spec, Spec(raw))


@pytest.mark.parametrize("kind", list(BREAKING))
def test_breaking_change_is_detected(spec: Spec, kind: str) -> None:
    changes = changed(spec, BREAKING[kind])
    assert any(c.breaking and c.kind == kind for c in changes), changes
    assert all(c.pointer.startswith("/") for c in changes)
    assert changes[0].breaking  # breaking ones first


@pytest.mark.parametrize(("name", "edit", "kind", "pointer"), BREAKING_AT, ids=[b[0] for b in BREAKING_AT])
def test_breaking_change_is_reported_where_it_is(
    spec: Spec, name: str, edit: Edit, kind: str, pointer: str
) -> None:
    raw = copy.deepcopy(spec.raw)
    edit(raw)
    pointer = pointer.replace("{last}", str(len(op(raw)["x-error-codes"]) - 1))
    found = [(c.kind, c.pointer) for c in diff(spec, Spec(raw)) if c.breaking]
    assert (kind, pointer) in found, found


@pytest.mark.parametrize("name", list(NON_BREAKING))
def test_non_breaking_edit_passes(spec: Spec, name: str) -> None:
    assert [c for c in changed(spec, NON_BREAKING[name]) if c.breaking] == []


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("optional response field added", "property-added"),
        ("request-only enum value added", "enum-value-added"),
        ("operation added", "operation-added"),
        ("path added", "path-added"),
        ("operation deprecated", "operation-deprecated"),
    ],
)
def test_non_breaking_edit_is_listed(spec: Spec, name: str, kind: str) -> None:
    assert kind in {c.kind for c in changed(spec, NON_BREAKING[name])}


def test_identical_specs_have_no_changes(spec: Spec) -> None:
    assert diff(spec, Spec(copy.deepcopy(spec.raw))) == []


def test_shared_component_change_is_reported_once(spec: Spec) -> None:
    """Period is reached from several operations and both sides; its change is one line."""
    changes = changed(spec, lambda r: schemas(r)["TrackingType"]["enum"].append("BONUS"))
    assert [c.kind for c in changes] == ["enum-value-added"]
    assert "(clients may receive it)" in changes[0].message


def test_two_codes_added_are_two_changes(spec: Spec) -> None:
    changes = changed(spec, lambda r: op(r)["x-error-codes"].extend([310069, 310008]))
    assert sorted(c.message.rsplit(" ", 3)[-3] for c in changes if c.kind == "error-code-added") == [
        "310008",
        "310069",
    ]


def test_recursive_schemas_terminate(spec: Spec) -> None:
    """A self-referencing tree and an allOf cycle are compared without recursing forever."""

    def tree(raw: dict[str, Any]) -> None:
        schemas(raw)["Node"] = {
            "type": "object",
            "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}},
        }
        schemas(raw)["Loop"] = {"allOf": [{"$ref": "#/components/schemas/Loop"}]}
        schemas(raw)["TargetGroup"]["properties"]["tree"] = {"$ref": "#/components/schemas/Node"}
        schemas(raw)["TargetGroup"]["properties"]["loop"] = {"$ref": "#/components/schemas/Loop"}

    base = copy.deepcopy(spec.raw)
    tree(base)
    before = Spec(base)
    after = copy.deepcopy(base)
    after["components"]["schemas"]["Node"]["properties"]["children"]["items"] = {"type": "string"}
    changes = diff(before, Spec(after))
    assert [(c.kind, c.breaking) for c in changes] == [("type-changed", True)]
