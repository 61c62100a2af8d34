"""`contracts.diff` finds each breaking class and passes non-breaking edits (the table in docs/diff.md)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from contracts.diff import Change, diff, group
from contracts.diff.change import KINDS
from contracts.errors import SpecError
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
    "request-media-type-removed": lambda r: r["paths"]["/v3/targetGroups"]["post"]["requestBody"].update(
        content={"application/x-www-form-urlencoded": {"schema": {"type": "object"}}}
    ),
    "response-media-type-added": lambda r: op(r)["responses"]["200"]["content"].update(
        {"text/csv": {"schema": {"type": "string"}}}
    ),
    "request-body-added": lambda r: r["paths"][GROUP]["delete"].update(
        requestBody={"required": True, "content": {JSON: {"schema": {"type": "object"}}}}
    ),
}

# more breaking edits, each with the kind and pointer it must be reported with
BREAKING_AT: list[tuple[str, Edit, str, str]] = [
    (
        "response field now admits anything",
        lambda r: schemas(r)["TargetGroup"]["properties"].update(name={"description": "anything"}),
        "type-changed",
        "/components/schemas/TargetGroup/properties/name",
    ),
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
    "request media type added": lambda r: r["paths"]["/v3/targetGroups"]["post"]["requestBody"][
        "content"
    ].update({"application/x-www-form-urlencoded": {"schema": {"type": "object"}}}),
}


def changed(spec: Spec, edit: Edit) -> list[Change]:
    raw = copy.deepcopy(spec.raw)
    edit(raw)
    changes = diff(spec, Spec(raw))
    assert {c.kind for c in changes} <= set(KINDS)  # every kind reported is documented
    return changes


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


def test_shared_component_change_is_one_cause_met_at_every_operation(spec: Spec) -> None:
    """TrackingType is reached from several operations, on both sides: one cause, each operation
    where a client reads it, and the request sites (which do not break) left out."""
    groups = group(changed(spec, lambda r: schemas(r)["TrackingType"]["enum"].append("BONUS")))
    assert [(g.kind, g.pointer, g.breaking) for g in groups] == [
        ("enum-value-added", "/components/schemas/TrackingType/enum/5", True)
    ]
    assert groups[0].detail == "value 'BONUS' added (clients may receive it)"
    sites = {(c.operation, c.where) for c in groups[0].sites}
    assert ("get-target-groups-id", "response 200 data.trackingType") in sites
    assert ("get-target-groups-all", "response 200 data[].trackingType") in sites
    assert all(c.where.startswith("response ") and c.breaking for c in groups[0].sites)


def test_change_is_reported_at_the_operation_with_the_component_as_cause(spec: Spec) -> None:
    changes = changed(spec, lambda r: schemas(r)["TargetGroup"]["properties"].pop("fromDate"))
    found = {(c.operation, c.where, c.kind, c.pointer) for c in changes}
    cause = "/components/schemas/TargetGroup/properties/fromDate"
    assert ("get-target-groups-id", "response 200 data.fromDate", "property-removed", cause) in found
    assert {c.new_pointer for c in changes} == {"/components/schemas/TargetGroup/properties"}


def test_two_codes_added_are_two_changes(spec: Spec) -> None:
    changes = changed(spec, lambda r: op(r)["x-error-codes"].extend([310069, 310008]))
    assert sorted(c.detail.split()[2] for c in changes if c.kind == "error-code-added") == [
        "310008",
        "310069",
    ]
    assert {c.operation for c in changes} == {"get-target-groups-id"}


def test_code_restatused_is_reported_at_each_operation_listing_it(spec: Spec) -> None:
    changes = changed(spec, lambda r: r["components"]["x-error-codes"]["310017"].update(status=410))
    users = {o.operation_id for o in spec.operations if 310017 in o.error_codes}
    assert {c.operation for c in changes} == users
    assert {(c.kind, c.pointer, c.breaking) for c in changes} == {
        ("error-code-status-changed", "/components/x-error-codes/310017/status", True)
    }
    assert changes[0].detail == "error code 310017: status 404 → 410"


def test_unused_code_restatused_is_still_breaking(spec: Spec) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["components"]["x-error-codes"]["999001"] = {"message": "m", "status": 400}

    base = copy.deepcopy(spec.raw)
    edit(base)
    after = copy.deepcopy(base)
    after["components"]["x-error-codes"]["999001"]["status"] = 409
    changes = diff(Spec(base), Spec(after))
    assert [(c.kind, c.operation, c.breaking) for c in changes] == [("error-code-status-changed", "", True)]


def test_recursive_schemas_terminate(spec: Spec) -> None:
    """A self-referencing tree and an allOf cycle are compared without recursing forever."""

    def tree(raw: dict[str, Any]) -> None:
        schemas(raw)["Node"] = {
            "type": "object",
            "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}},
        }
        schemas(raw)["Loop"] = {"allOf": [{"$ref": "#/components/schemas/Loop"}, {"type": "object"}]}
        schemas(raw)["TargetGroup"]["properties"]["tree"] = {"$ref": "#/components/schemas/Node"}
        schemas(raw)["TargetGroup"]["properties"]["loop"] = {"$ref": "#/components/schemas/Loop"}

    base = copy.deepcopy(spec.raw)
    tree(base)
    before = Spec(base)
    assert diff(before, Spec(copy.deepcopy(base))) == []
    after = copy.deepcopy(base)
    after["components"]["schemas"]["Node"]["properties"]["children"]["items"] = {"type": "string"}
    groups = group(diff(before, Spec(after)))
    assert [(g.kind, g.breaking) for g in groups] == [("type-changed", True)]
    assert "response 200 data.tree.children[]" in {c.where for c in groups[0].sites}


def test_mutual_recursion_through_two_components_terminates(spec: Spec) -> None:
    base = copy.deepcopy(spec.raw)
    schemas(base)["A"] = {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}}
    schemas(base)["B"] = {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}}
    schemas(base)["TargetGroup"]["properties"]["a"] = {"$ref": "#/components/schemas/A"}
    after = copy.deepcopy(base)
    schemas(after)["B"]["properties"]["a"] = {"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]}
    groups = group(diff(Spec(base), Spec(after)))
    assert [(g.kind, g.pointer) for g in groups] == [("now-nullable", "/components/schemas/B/properties/a")]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("#/components/schemas/Nowhere", "'#/components/schemas/Nowhere' points nowhere"),
        ("https://example.com/x.json", "only local"),
    ],
)
def test_unresolvable_ref_names_its_pointer(spec: Spec, ref: str, message: str) -> None:
    raw = copy.deepcopy(spec.raw)
    schemas(raw)["TargetGroup"]["properties"]["name"] = {"$ref": ref}
    with pytest.raises(SpecError) as caught:
        diff(spec, Spec(raw))
    assert caught.value.message.startswith("/components/schemas/TargetGroup/properties/name/$ref: ")
    assert message in caught.value.message


def test_a_cycle_cut_short_for_one_operation_is_judged_whole_for_another(spec: Spec) -> None:
    """A → B → A: an operation reaching A first must not leave B's remembered result short of A's
    change for an operation that reaches only B."""
    base = copy.deepcopy(spec.raw)
    schemas(base)["A"] = {
        "type": "object",
        "properties": {"b": {"$ref": "#/components/schemas/B"}, "x": {"type": "string"}},
    }
    schemas(base)["B"] = {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}}
    schemas(base)["TargetGroup"]["properties"]["a"] = {"$ref": "#/components/schemas/A"}
    schemas(base)["Channel"]["properties"]["b"] = {"$ref": "#/components/schemas/B"}
    after = copy.deepcopy(base)
    schemas(after)["A"]["properties"].pop("x")
    changes = diff(Spec(base), Spec(after))
    where = {c.operation: c.where for c in changes if c.pointer == "/components/schemas/A/properties/x"}
    assert where["get-target-groups-id"] == "response 200 data.a.x"
    channels = next(o.operation_id for o in spec.operations if o.path == "/v3/targetGroups/channels")
    assert where[channels] == "response 200 data[].b.a.x"
