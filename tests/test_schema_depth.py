"""How deep a schema lets a value nest: the bound is never below what a validator accepts, and it is
None wherever a value of any depth is accepted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson
import pytest

from contracts.schema_depth import depth_bound
from contracts.schemas import JSON_MEDIA
from contracts.spec import MAX_DEPTH, Spec, shape_problem

PAYLOADS = Path(__file__).resolve().parent / "payloads"

CLOSED_PERSON = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}},
    "additionalProperties": False,
}
DEFS = {
    "$defs": {
        "Person": CLOSED_PERSON,
        "Node": {
            "type": "object",
            "properties": {"next": {"$ref": "#/$defs/Node"}},
            "additionalProperties": False,
        },
    }
}

BOUNDED: list[tuple[str, Any, int, Any]] = [
    # (case, schema, bound, a value of exactly that depth the schema accepts)
    ("scalar", {"type": "string"}, 0, "x"),
    ("false", False, 0, None),
    ("closed object", CLOSED_PERSON, 2, {"name": "a", "tags": ["b"]}),
    ("enum of objects", {"enum": [1, {"a": [1]}]}, 2, {"a": [1]}),
    ("const", {"const": {"a": {"b": {}}}}, 3, {"a": {"b": {}}}),
    ("typed array", {"type": "array", "items": CLOSED_PERSON}, 3, [{"tags": ["x"]}]),
    ("empty array only", {"type": "array", "maxItems": 0}, 1, []),
    (
        "anyOf: the deepest branch",
        {
            "anyOf": [
                {"type": "null"},
                {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
            ]
        },
        2,
        [[1]],
    ),
    (
        "allOf: the closed part's names, each as deep as the part that says least deep",
        {
            "allOf": [
                {
                    "type": "object",
                    "properties": {"a": True, "b": {"type": "object", "additionalProperties": True}},
                },
                {"properties": {"a": {"type": "integer"}}, "additionalProperties": False},
            ]
        },
        1,
        {"a": 1},
    ),
    (
        "additional members bounded",
        {"type": "object", "additionalProperties": {"type": "integer"}},
        1,
        {"x": 1},
    ),
    ("a $ref, not recursive", {**DEFS, "$ref": "#/$defs/Person"}, 2, {"tags": []}),
    ("type null or object", {"type": ["null", "object"], "additionalProperties": False}, 1, {}),
]

UNBOUNDED: list[tuple[str, Any]] = [
    ("anything", {}),
    ("true", True),
    ("free-form object", {"type": "object", "additionalProperties": True}),
    ("undeclared names open", {"type": "object", "properties": {"a": {"type": "string"}}}),
    ("items unsaid", {"type": "array"}),
    ("recursive", {**DEFS, "$ref": "#/$defs/Node"}),
    (
        "pattern properties may take any name",
        {"patternProperties": {"^x": {}}, "additionalProperties": False},
    ),
    ("prefixItems: items not all alike", {"type": "array", "prefixItems": [{}], "items": {"type": "string"}}),
    ("a dangling $ref", {"$ref": "#/$defs/Nowhere"}),
    ("a remote $ref", {"$ref": "https://example.com/schema.json"}),
]


def _deeper(value: Any) -> Any:
    return [value]


@pytest.mark.parametrize(("case", "schema", "bound", "deepest"), BOUNDED, ids=[c[0] for c in BOUNDED])
def test_a_bound_is_met_and_never_passed(case: str, schema: Any, bound: int, deepest: Any) -> None:
    document = schema if isinstance(schema, dict) else {}
    assert depth_bound(schema, document, MAX_DEPTH) == bound
    if schema is False:
        return
    validator = jsonschema_rs.validator_for(schema)
    assert validator.is_valid(deepest)
    assert shape_problem(deepest, bound) is None and (bound == 0 or shape_problem(deepest, bound - 1))


@pytest.mark.parametrize(("case", "schema"), UNBOUNDED, ids=[c[0] for c in UNBOUNDED])
def test_a_place_that_takes_any_depth_is_unbounded(case: str, schema: Any) -> None:
    assert depth_bound(schema, schema if isinstance(schema, dict) else {}, MAX_DEPTH) is None


def test_deeper_than_the_limit_is_unbounded() -> None:
    schema: Any = {"type": "integer"}
    for _ in range(12):
        schema = {"type": "array", "items": schema}
    assert depth_bound(schema, schema, 12) == 12
    assert depth_bound(schema, schema, 11) is None


def test_branches_that_multiply_beyond_the_budget_are_unbounded() -> None:
    """A spec is the user's input: forty nullable parts in one allOf would be 2**40 conjunctions."""
    parts = [{"anyOf": [{"type": "null"}, {"type": ["object", "null"], "additionalProperties": False}]}] * 40
    assert depth_bound({"allOf": parts}, {}, MAX_DEPTH) is None


def test_every_closed_response_schema_of_the_spec_is_bounded(spec: Spec) -> None:
    """Free-form places take members of a bounded depth in the closed schemas, so every response the
    spec documents has a bound the depth limit holds."""
    for op in spec.operations:
        for key in op.statuses:
            schema = op.response_schema(int(key), JSON_MEDIA) if key.isdigit() else None
            if isinstance(schema, dict):
                depth = spec.schemas.closed_depth(schema, MAX_DEPTH)
                assert depth is not None and depth <= MAX_DEPTH, (op.operation_id, key)


def test_no_real_payload_the_closed_validator_accepts_is_deeper_than_the_bound(spec: Spec) -> None:
    judged = 0
    for path in sorted(PAYLOADS.glob("*__response__*.json")):
        operation, _, status, *_ = path.stem.split("__")
        if not status.isdigit():
            continue  # error payloads are named by kind; their statuses are in the README
        op = spec.operation(operation)
        schema = op.response_schema(int(status), JSON_MEDIA)
        body = orjson.loads(path.read_bytes())
        if not isinstance(schema, dict) or not spec.schemas.closed_validator(schema).is_valid(body):
            continue
        depth = spec.schemas.closed_depth(schema, MAX_DEPTH)
        assert depth is not None and shape_problem(body, depth) is None, path.name
        judged += 1
    assert judged > 20
