"""Each lint rule fires on a crafted defect and stays quiet on the real spec."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from contracts.lint import iter_findings, load_rules
from contracts.spec import Spec

Mutation = Callable[[dict[str, Any]], None]
GET_ID = ("paths", "/v3/targetGroups/{targetGroupId}", "get")


def op(
    raw: dict[str, Any], path: str = "/v3/targetGroups/{targetGroupId}", method: str = "get"
) -> dict[str, Any]:
    result: dict[str, Any] = raw["paths"][path][method]
    return result


def schemas(raw: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = raw["components"]["schemas"]
    return result


DEFECTS: dict[str, list[Mutation]] = {
    "openapi_valid": [lambda r: r["info"].pop("title")],
    "refs_resolvable": [
        lambda r: schemas(r)["Target"]["properties"].update(x={"$ref": "#/components/schemas/Nope"})
    ],
    "envelope_everywhere": [
        lambda r: op(r)["responses"]["200"]["content"]["application/json"].update(
            schema={"$ref": "#/components/schemas/TargetGroup"}
        ),
        lambda r: op(r)["responses"].update(
            {"409": {"description": "x", "content": {"application/json": {"schema": {"type": "object"}}}}}
        ),
    ],
    "operation_id_unique": [
        lambda r: op(r, "/v3/targetGroups", "get").update(operationId="get-target-groups-id")
    ],
    "operation_documented": [lambda r: op(r).pop("summary"), lambda r: op(r).pop("tags")],
    "error_codes_listed": [lambda r: op(r).pop("x-error-codes")],
    "error_responses_documented": [
        lambda r: op(r)["responses"].pop("404"),
        lambda r: op(r)["responses"].pop("401"),
    ],
    "error_code_catalogued": [lambda r: op(r)["x-error-codes"].append(399999)],
    "catalogue_code_used": [
        lambda r: r["components"]["x-error-codes"].update(
            {"310999": {"message": "m", "status": 400, "name": "UNUSED", "source": "t"}}
        )
    ],
    "error_example_codes": [
        lambda r: op(r, "/v3/users/{userId}/enrolledTargets")["responses"]["400"]["content"][
            "application/json"
        ]["examples"]["get-active-targets__response__error__1"]["value"]["errors"][0].update(code=310069)
    ],
    "enum_named_component": [
        lambda r: schemas(r)["Target"]["properties"].update(kind={"type": "string", "enum": ["A"]})
    ],
    "enum_upper_snake": [lambda r: schemas(r)["TrackingType"]["enum"].append("Streak")],
    "enum_no_duplicates": [
        lambda r: schemas(r)["TrackingType"]["enum"].append("STREAKS"),
        lambda r: schemas(r)["CombinationType"]["enum"].append("any"),
    ],
    "example_valid": [
        lambda r: op(r, "/v3/targetGroups/channels")["responses"]["200"]["content"]["application/json"][
            "examples"
        ]["get-target-channels__response__200__1"]["value"]["data"][0].update(id="1")
    ],
    "path_parameters_declared": [
        lambda r: op(r).update(parameters=op(r)["parameters"][1:]),
        lambda r: op(r)["parameters"][0].update(required=False),
    ],
    "no_unused_components": [lambda r: schemas(r).update(Orphan={"type": "string"})],
    "phased_out_deprecated": [lambda r: op(r).pop("deprecated")],
    "property_camel_case": [
        lambda r: schemas(r)["Channel"]["properties"].update(channel_type={"type": "string"})
    ],
    "catalogue_entries_complete": [lambda r: r["components"]["x-error-codes"]["310069"].update(status=200)],
}


def test_every_rule_has_a_defect() -> None:
    assert set(DEFECTS) == set(load_rules())


def test_the_real_spec_is_clean(spec: Spec) -> None:
    assert list(iter_findings(spec)) == []


@pytest.mark.parametrize(
    ("rule", "mutation"),
    [(rule, m) for rule, ms in DEFECTS.items() for m in ms],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_rule_fires_on_its_defect(spec: Spec, rule: str, mutation: Mutation) -> None:
    raw = copy.deepcopy(spec.raw)
    mutation(raw)
    found = [f for f in iter_findings(Spec(raw)) if f.check == rule]
    assert found, rule
    assert all(f.pointer.startswith("/") for f in found)
    assert all(f.extra.get("hint") for f in found)
