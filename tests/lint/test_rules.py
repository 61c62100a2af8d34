"""Each lint rule fires on a crafted defect of the real spec and stays quiet on the real spec."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from contracts.findings import Finding
from contracts.lint import iter_findings, load_rules
from contracts.spec import Spec

Mutation = Callable[[dict[str, Any]], object]
GROUP = "/v3/targetGroups/{targetGroupId}"
JSON = "application/json"


def op(raw: dict[str, Any], path: str = GROUP, method: str = "get") -> dict[str, Any]:
    result: dict[str, Any] = raw["paths"][path][method]
    return result


def schemas(raw: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = raw["components"]["schemas"]
    return result


def error_example(raw: dict[str, Any]) -> dict[str, Any]:
    """The first error of a real 400 example (get-active-targets, from the documentation)."""
    media = op(raw, "/v3/users/{userId}/enrolledTargets")["responses"]["400"]["content"][JSON]
    result: dict[str, Any] = media["examples"]["get-active-targets__response__error__1"]["value"]["errors"][0]
    return result


def channels_media(raw: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = op(raw, "/v3/targetGroups/channels")["responses"]["200"]["content"][JSON]
    return result


def channels_example(raw: dict[str, Any]) -> dict[str, Any]:
    media = op(raw, "/v3/targetGroups/channels")["responses"]["200"]["content"][JSON]
    result: dict[str, Any] = media["examples"]["get-target-channels__response__200__1"]["value"]
    return result


QUERY = {"in": "query", "required": False, "schema": {"type": "string"}}

DEFECTS: dict[str, list[Mutation]] = {
    "extension_codes_listed": [
        lambda r: op(r)["parameters"][0].update({"x-not-found-code": 310018}),
        lambda r: schemas(r)["TargetGroupFields"]["properties"]["name"].update({"x-unique": 310999}),
    ],
    "extensions_well_formed": [
        lambda r: op(r).update({"x-rules": [{"code": 310017}]}),
        lambda r: schemas(r)["PeriodStatus"].update({"x-value-roles": {"running": ["STARTED"]}}),
        lambda r: op(r).update({"x-soft-delete": "active"}),  # on a GET
    ],
    "openapi_valid": [
        lambda r: r["info"].pop("title"),
        lambda r: op(r)["parameters"][1].update({"in": "body"}),
    ],
    "document_shape": [
        lambda r: r["paths"][GROUP].update(get="nope"),
        lambda r: op(r).pop("operationId"),
        lambda r: op(r).update({"x-doc-slugs": "get-target-group"}),
        lambda r: op(r).update(parameters={"name": "x"}),
        lambda r: op(r).update(responses=[]),
        lambda r: r["paths"].update({"/v3/x": None}),
        lambda r: r["components"]["x-error-codes"]["310017"].update(status="404"),
        lambda r: r["components"].update(responses=[]),
    ],
    "refs_resolvable": [
        lambda r: schemas(r)["Target"]["properties"].update(x={"$ref": "#/components/schemas/Nope"}),
        lambda r: schemas(r)["Target"]["properties"].update(x={"$ref": "other.json#/Target"}),
        lambda r: schemas(r).update(
            Channel={"$ref": "#/components/schemas/Loop"}, Loop={"$ref": "#/components/schemas/Channel"}
        ),
    ],
    "operation_id_unique": [
        lambda r: op(r, "/v3/targetGroups").update(operationId="get-target-groups-id"),
        lambda r: op(r).update({"x-doc-slugs": ["delete-target-group"]}),
    ],
    "operation_id_slug": [
        lambda r: op(r).update(operationId="getTargetGroup"),
        lambda r: op(r).update({"x-doc-slugs": ["Get Target Group"]}),
    ],
    "operation_documented": [
        lambda r: op(r).pop("summary"),
        lambda r: op(r).pop("tags"),
        lambda r: op(r).pop("description"),
        lambda r: op(r).update(security=[]),
    ],
    "phased_out_deprecated": [lambda r: op(r).pop("deprecated")],
    "path_parameters_declared": [
        lambda r: op(r).update(parameters=op(r)["parameters"][1:]),
        lambda r: op(r)["parameters"][0].update(required=False),
        lambda r: op(r)["parameters"][0].update(schema={}),
        lambda r: op(r)["parameters"].append(
            {"name": "orgId", "in": "path", "required": True, "schema": {"type": "integer"}}
        ),
    ],
    "parameter_names": [
        lambda r: op(r)["parameters"].append({"name": "include_periods", **QUERY}),
        lambda r: op(r)["parameters"].append({"name": "Include-Periods", **QUERY}),
        lambda r: op(r)["parameters"].append(
            {"name": "X", "in": "path", "required": True, "schema": {"type": "string"}}
        ),
    ],
    "envelope_everywhere": [
        lambda r: op(r)["responses"]["200"]["content"][JSON].update(
            schema={"$ref": "#/components/schemas/TargetGroup"}
        ),
        lambda r: op(r)["responses"].update(
            {"409": {"description": "x", "content": {JSON: {"schema": {"type": "object"}}}}}
        ),
        lambda r: schemas(r)["TargetGroupEnvelope"]["allOf"][1].update(required=[]),
        lambda r: op(r)["responses"]["200"]["content"].pop(JSON),
    ],
    "error_responses_documented": [
        lambda r: op(r)["responses"].pop("404"),
        lambda r: op(r)["responses"].pop("401"),
    ],
    "bad_request_documented": [lambda r: op(r)["responses"].pop("400")],
    "error_status_has_codes": [
        lambda r: op(r)["responses"].update({"409": {"$ref": "#/components/responses/BadRequest"}})
    ],
    "error_codes_listed": [lambda r: op(r).pop("x-error-codes")],
    "error_code_catalogued": [
        lambda r: op(r)["x-error-codes"].append(399999),
        lambda r: error_example(r).update(code=399998),
    ],
    "catalogue_code_used": [
        lambda r: r["components"]["x-error-codes"].update(
            {"310999": {"message": "m", "status": 400, "name": "UNUSED", "source": "t"}}
        )
    ],
    "error_example_codes": [lambda r: error_example(r).update(code=310069)],
    "catalogue_entries_complete": [
        lambda r: r["components"]["x-error-codes"]["310069"].update(status=200),
        lambda r: r["components"]["x-error-codes"]["310069"].update(name="Bad name"),
        lambda r: r["components"]["x-error-codes"]["310069"].update(
            name=r["components"]["x-error-codes"]["310017"]["name"]
        ),
        lambda r: r["components"].pop("x-error-codes"),
    ],
    "enum_named_component": [
        lambda r: schemas(r)["Target"]["properties"].update(kind={"type": "string", "enum": ["A"]}),
        lambda r: op(r)["parameters"].append({"name": "mode", **QUERY, "schema": {"enum": ["A", "B"]}}),
    ],
    "enum_upper_snake": [lambda r: schemas(r)["TrackingType"]["enum"].append("Streak")],
    "enum_no_duplicates": [
        lambda r: schemas(r)["TrackingType"]["enum"].append("STREAKS"),
        lambda r: schemas(r)["CombinationType"]["enum"].append("any"),
    ],
    "example_valid": [
        lambda r: channels_example(r)["data"][0].update(id="1"),
        lambda r: channels_example(r).pop("data"),
        lambda r: op(r)["parameters"][0].update(example="abc"),
        # every way OpenAPI writes an example: media `example`, `$ref` to components.examples,
        # parameter `examples`, schema `example` and `examples: [...]`, on components and inline
        lambda r: channels_media(r).update(example={"data": [{"id": "1"}], "errors": None}),
        lambda r: (
            r["components"].update(examples={"Bad": {"value": {"data": "nope"}}}),
            channels_media(r)["examples"].update(bad={"$ref": "#/components/examples/Bad"}),
        ),
        lambda r: op(r)["parameters"][0].update(examples={"text": {"value": "abc"}}),
        lambda r: op(r)["parameters"][0]["schema"].update(example="abc"),
        lambda r: schemas(r)["Channel"].update(example={"id": 1}),
        lambda r: schemas(r)["Channel"]["properties"]["id"].update(examples=[1, "two"]),
    ],
    "property_camel_case": [
        lambda r: schemas(r)["Channel"]["properties"].update(channel_type={"type": "string"}),
        lambda r: schemas(r)["Channel"]["properties"].update({"start-date": {"type": "string"}}),
    ],
    "no_unused_components": [
        lambda r: schemas(r).update(Orphan={"type": "string"}),
        lambda r: r["components"]["securitySchemes"].update(
            apiKey={"type": "apiKey", "name": "k", "in": "header"}
        ),
    ],
}


def fire(spec: Spec, mutation: Mutation, rule: str) -> list[Finding]:
    """The findings of ``rule`` alone on a copy of the real spec changed by ``mutation``."""
    raw = copy.deepcopy(spec.raw)
    mutation(raw)
    others = [name for name in load_rules() if name != rule]
    return list(iter_findings(Spec(raw, lenient=True), disable=others))


def test_every_rule_has_a_defect() -> None:
    assert set(DEFECTS) == set(load_rules())


@pytest.mark.parametrize("rule", sorted(DEFECTS))
def test_rule_is_quiet_on_the_real_spec(spec: Spec, rule: str) -> None:
    assert [f for f in iter_findings(spec) if f.check == rule] == []


def test_the_minimal_sample_spec_is_clean(spec_minimal: Spec) -> None:
    assert list(iter_findings(spec_minimal)) == []


@pytest.mark.parametrize(
    ("rule", "mutation"),
    [pytest.param(rule, m, id=f"{rule}-{i}") for rule, ms in DEFECTS.items() for i, m in enumerate(ms)],
)
def test_rule_fires_on_its_defect(spec: Spec, rule: str, mutation: Mutation) -> None:
    found = fire(spec, mutation, rule)
    assert found, rule
    assert {f.check for f in found} == {rule}
    assert all(f.pointer.startswith("/") and f.pointer == f.spec_pointer for f in found)
    assert all(f.extra.get("hint") and f.severity == load_rules()[rule].severity for f in found)


def test_findings_point_where_the_defect_is_written(spec: Spec) -> None:
    """Through a $ref: a broken shared response is reported at the component, not at each user."""

    def shared(raw: dict[str, Any]) -> None:
        raw["components"]["responses"]["NotFound"]["content"][JSON]["schema"] = {"type": "object"}

    found = {f.pointer for f in fire(spec, shared, "envelope_everywhere")}
    assert found == {"/components/responses/NotFound/content/application~1json/schema"}


def test_example_finding_points_into_the_example(spec: Spec) -> None:
    (found,) = fire(spec, DEFECTS["example_valid"][0], "example_valid")
    assert found.pointer.endswith("/examples/get-target-channels__response__200__1/value/data/0/id")
    assert found.operation == "get-target-channels"


def test_schema_level_examples_point_into_the_schema(spec: Spec) -> None:
    (found,) = fire(spec, DEFECTS["example_valid"][-1], "example_valid")
    assert found.pointer == "/components/schemas/Channel/properties/id/examples/1"
    assert found.operation is None


def test_a_property_named_example_is_a_schema_not_an_example(spec: Spec) -> None:
    def named(raw: dict[str, Any]) -> None:
        schemas(raw)["Channel"]["properties"].update(example={"type": "string"})

    assert fire(spec, named, "example_valid") == []


def test_operation_without_operation_id_is_a_finding_not_an_error(spec: Spec) -> None:
    (found,) = fire(spec, DEFECTS["document_shape"][1], "document_shape")
    assert found.message == "operation has no operationId"
    assert found.pointer == "/paths/~1v3~1targetGroups~1{targetGroupId}/get"


def test_kebab_case_is_a_query_name_only(spec: Spec) -> None:
    """get-all-milestones' documented kebab-case query names pass; the same name as a property does not."""
    assert any("-" in p["name"] for p in spec.operation("get-all-milestones").parameters())
    found = fire(spec, DEFECTS["property_camel_case"][1], "property_camel_case")
    assert [f.message for f in found] == ["property 'start-date' is not camelCase"]


def test_case_insensitive_duplicate_is_named(spec: Spec) -> None:
    (found,) = fire(spec, DEFECTS["enum_no_duplicates"][1], "enum_no_duplicates")
    assert "differs only in case from 'ANY'" in found.message
