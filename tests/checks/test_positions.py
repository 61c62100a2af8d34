"""The folded position graph finds values at named components through refs, combinators, maps,
arrays and recursion, and prunes what holds none."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.checks._positions import fold, locate
from contracts.checks._schemas import walk_components
from contracts.spec import Spec


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


@pytest.fixture(scope="module")
def toy() -> Spec:
    schemas: dict[str, Any] = {
        "Colour": {"type": "string", "enum": ["RED", "GREEN"]},
        "Shade": ref("Colour"),
        "Node": {
            "type": "object",
            "properties": {
                "colour": {"anyOf": [ref("Colour"), {"type": "null"}]},
                "children": {"type": "array", "items": ref("Node")},
            },
        },
        "Palette": {
            "allOf": [
                {"properties": {"main": ref("Shade")}},
                {"properties": {"name": {"type": "string"}}, "additionalProperties": ref("Colour")},
            ]
        },
        "Plain": {"type": "object", "properties": {"a": {"type": "string"}}},
    }
    return Spec({"openapi": "3.1.0", "paths": {}, "components": {"schemas": schemas}})


def _found(spec: Spec, schema: Any, body: Any) -> list[tuple[str, tuple[str, ...], Any]]:
    root = fold(spec, schema, frozenset(spec.enums))
    assert root is not None
    return [(p, pos.names, v) for p, pos, v in locate(root, body)]


def test_recursive_schema_is_folded_once_and_walked_deep(toy: Spec) -> None:
    body = {"colour": "RED", "children": [{"colour": None, "children": [{"colour": "blue"}]}]}
    assert _found(toy, ref("Node"), body) == [
        ("/colour", ("Colour",), "RED"),
        ("/children/0/colour", ("Colour",), None),
        ("/children/0/children/0/colour", ("Colour",), "blue"),
    ]


def test_all_of_parts_and_additional_properties_merge(toy: Spec) -> None:
    body = {"main": "GREEN", "name": "not a colour", "extra/key": "RED"}
    assert _found(toy, ref("Palette"), body) == [
        ("/main", ("Colour",), "GREEN"),
        ("/extra~1key", ("Colour",), "RED"),
    ]


def test_ref_chains_keep_every_name_when_unfiltered(toy: Spec) -> None:
    assert list(walk_components(toy, {"properties": {"s": ref("Shade")}}, {"s": "RED"})) == [
        ("/s", "Shade", "RED"),
        ("/s", "Colour", "RED"),
    ]


def test_schema_without_wanted_components_folds_to_none(toy: Spec) -> None:
    assert fold(toy, ref("Plain"), frozenset(toy.enums)) is None
    assert list(walk_components(toy, {"type": "string"}, "x")) == []


def test_walk_components_does_not_confuse_schemas_sharing_an_id(toy: Spec) -> None:
    for value in ("RED", "GREEN"):
        schema = {"properties": {"c": ref("Colour")}}  # a fresh dict each time, maybe at a reused id
        assert list(walk_components(toy, schema, {"c": value})) == [("/c", "Colour", value)]
