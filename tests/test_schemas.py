"""The schema layer: one walk of the document, one expansion of a schema into its parts, one JSON-media
lookup, and the per-spec caches every other module shares (owned by the Spec, not kept beside it)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from contracts.schemas import JSON_MEDIA, json_media, walk
from contracts.spec import Spec

CONTRACTS = Path(__file__).resolve().parent.parent / "contracts"
NOT_YET_MOVED = {"request_validation.py"}
"""Modules whose per-spec cache is still their own (to move onto ``spec.schemas.memo``)."""


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


@pytest.fixture
def toy() -> Spec:
    schemas: dict[str, Any] = {
        "Colour": {"type": "string", "enum": ["RED", "GREEN"]},
        "Named": {"properties": {"name": {"type": "string"}}},
        "Either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        "Both": {"allOf": [ref("Named"), {"properties": {"c": ref("Colour")}}], "description": "x"},
    }
    return Spec({"openapi": "3.1.0", "paths": {}, "components": {"schemas": schemas}})


def test_walk_yields_every_object_in_document_order_with_example_flag() -> None:
    document = {
        "a": {"examples": {"one": {"value": {"x": 1}}}},
        "b/c": [{"properties": {"example": {"type": "string"}}}],
    }
    assert [(p, flag) for p, _, flag in walk(document)] == [
        ("", False),
        ("/a", False),
        ("/a/examples", True),
        ("/a/examples/one", True),
        ("/a/examples/one/value", True),
        ("/b~1c/0", False),
        ("/b~1c/0/properties", False),
        ("/b~1c/0/properties/example", False),  # a property named "example" is no example
    ]


def test_walk_does_not_recurse() -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(5000):  # deeper than Python's recursion limit
        node["x"] = {}
        node = node["x"]
    assert len(walk(deep)) == 5001


def test_parts_follow_refs_and_combinators_once_in_order(toy: Spec) -> None:
    both = toy.schemas.component("Both")
    found = [where for _, where in toy.schemas.parts([(ref("Both"), "/root")])]
    assert found == [
        "/root",
        "/components/schemas/Both",
        "/components/schemas/Both/allOf/0",
        "/components/schemas/Named",
        "/components/schemas/Both/allOf/1",
    ]
    assert [n for n, _ in toy.schemas.parts([(both, ""), (both, "")])] == [
        both,
        both["allOf"][0],
        toy.schemas.component("Named"),
        both["allOf"][1],
    ]


def test_parts_choose_branches_of_one_of_but_never_drop_all(toy: Spec) -> None:
    def strings(branches: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
        return [(i, b) for i, b in branches if b.get("type") == "string"]

    def nothing(branches: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
        return []

    chosen = [w for _, w in toy.schemas.parts([(ref("Either"), "")], strings)]
    assert chosen[-1] == "/components/schemas/Either/oneOf/0" and len(chosen) == 3
    assert len(list(toy.schemas.parts([(ref("Either"), "")], nothing))) == 4  # nothing hidden


def test_parts_skip_a_dangling_ref(toy: Spec) -> None:
    assert [w for _, w in toy.schemas.parts([(ref("Missing"), "/x")])] == ["/x"]


def test_validators_are_compiled_once_per_schema_object(toy: Spec) -> None:
    colour = toy.schemas.component("Colour")
    assert toy.schemas.validator(colour) is toy.schemas.validator(colour)
    assert toy.schemas.is_valid(colour, "RED") and not toy.schemas.is_valid(colour, "BLUE")
    assert toy.schemas.is_valid(True, 1) and not toy.schemas.is_valid(False, 1)


def test_integer_formats_compile_as_bounds(toy: Spec) -> None:
    schema = {"type": "integer", "format": "int32"}
    assert toy.schemas.is_valid(schema, 2**31 - 1) and not toy.schemas.is_valid(schema, 2**31)


def test_memo_is_per_spec(toy: Spec, spec: Spec) -> None:
    calls: list[int] = []

    def build() -> int:
        calls.append(1)
        return len(calls)

    assert toy.schemas.memo("test.k", build) == 1
    assert toy.schemas.memo("test.k", build) == 1
    assert spec.schemas.memo("test.k", build) == 2


def test_json_media_is_found_or_none() -> None:
    assert json_media({"content": {JSON_MEDIA: {"schema": {}}}}) == {"schema": {}}
    assert json_media({"content": {"text/plain": {}}}) is None
    assert json_media({"content": []}) is None and json_media("x") is None


def test_no_module_keeps_its_own_per_spec_cache() -> None:
    """Caches keyed by spec live in ``spec.schemas``; a WeakKeyDictionary beside it is a second copy."""
    offenders = []
    for path in sorted(CONTRACTS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "WeakKeyDictionary":
                offenders.append(str(path.relative_to(CONTRACTS)))
    assert set(offenders) <= NOT_YET_MOVED


def test_a_spec_orjson_refuses_is_read_by_the_standard_parser(tmp_path: Path) -> None:
    """orjson reads a spec faster, but big integers and lone surrogates are JSON too."""
    file = tmp_path / "v3.json"
    file.write_text(
        '{"openapi": "3.1.0", "paths": {}, "x-big": 123456789012345678901234567890, "x-s": "\\ud800"}'
    )
    spec = Spec.from_path(file)
    assert spec.raw["x-big"] == 123456789012345678901234567890 and spec.raw["x-s"] == "\ud800"


def test_lint_imports_neither_the_check_registry_nor_other_commands() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from contracts.cli import main; main(['lint', 'spec/v3.json']); "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('contracts'))))"
    )
    out = (
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=CONTRACTS.parent
        )
        .stdout.splitlines()[-1]
        .split()
    )
    assert "contracts.cli.lint" in out
    assert not {"contracts.checks", "contracts.exchange", "contracts.cli.run", "contracts.cli.mock"} & set(
        out
    )


# -- conjunction: the strict expansion the diff flattens with --------------------------------------
def test_conjunction_lists_refs_and_all_of_parts_before_the_schema_naming_them(toy: Spec) -> None:
    from contracts.schemas import conjunction

    found = conjunction(toy.raw, ref("Both"), "/x")
    assert [pointer for pointer, _ in found] == [
        "/components/schemas/Named",
        "/components/schemas/Both/allOf/0",
        "/components/schemas/Both/allOf/1",
        "/components/schemas/Both",
        "/x",
    ]
    either = conjunction(toy.raw, ref("Either"), "")
    assert [p for p, _ in either] == ["/components/schemas/Either", ""]  # anyOf/oneOf are not parts of it
    assert conjunction(toy.raw, False, "/f") == [("/f", False)]


def test_conjunction_skips_a_ref_already_being_expanded_and_reads_percent_encoded_refs() -> None:
    from contracts.schemas import conjunction

    raw: dict[str, Any] = {
        "components": {
            "schemas": {"Loop": {"allOf": [ref("Loop")], "type": "object"}, "a b": {"type": "string"}}
        }
    }
    assert [p for p, _ in conjunction(raw, ref("Loop"), "")] == [
        "/components/schemas/Loop/allOf/0",
        "/components/schemas/Loop",
        "",
    ]
    assert conjunction(raw, {"$ref": "#/components/schemas/a%20b"}, "")[0][0] == "/components/schemas/a b"


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"$ref": "#/components/schemas/Nowhere"}, "/s/$ref: '#/components/schemas/Nowhere' points nowhere"),
        ({"$ref": "other.json#/A"}, "/s/$ref: cannot resolve 'other.json#/A'"),
        ({"allOf": {"type": "string"}}, "/s/allOf: must be a list"),
        ({"allOf": ["string"]}, "/s/allOf/0: a schema must be an object, not str"),
        ({"allOf": [{"allOf": [{"allOf": [{}]}]}]}, "$ref/allOf nested more than 2 levels deep"),
    ],
)
def test_conjunction_refuses_a_broken_schema_naming_its_place(schema: Any, message: str) -> None:
    from contracts.errors import SpecError
    from contracts.schemas import conjunction

    with pytest.raises(SpecError) as caught:
        conjunction({"components": {"schemas": {}}}, schema, "/s", max_depth=2)
    assert message in str(caught.value)


def test_a_branch_only_an_object_can_take_is_closed_in_place() -> None:
    """``anyOf``/``oneOf`` one branch of which alone accepts an object (a nullable ``$ref``, an
    object-or-array): closed in that branch, no ``unevaluatedProperties``, the same verdicts."""
    from contracts.schemas import _object_branch

    named = {"type": "object", "properties": {"name": {"type": "string"}}}
    spec = Spec({"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"Named": named}}})
    for keyword in ("anyOf", "oneOf"):
        nullable = {keyword: [ref("Named"), {"type": "null"}], "readOnly": True}
        either = {keyword: [{"type": "array", "items": ref("Named")}, ref("Named")]}
        assert _object_branch(nullable) == (keyword, 0) and _object_branch(either) == (keyword, 1)
        closed = spec.schemas.closed_validator({"type": "object", "properties": {"n": nullable, "l": either}})
        good: list[Any] = [{"n": {"name": "a"}}, {"n": None}, {"l": [{"name": "a"}]}, {"l": {"name": "a"}}]
        for value in good:
            assert closed.is_valid(value), value
        bad: list[Any] = [
            {"n": {"name": "a", "x": 1}},
            {"n": "a"},
            {"l": [{"name": "a", "x": 1}]},
            {"l": {"name": "a", "x": 1}},
            {"n": None, "x": 1},
        ]
        for value in bad:
            assert not closed.is_valid(value), value
    # two branches that may take an object, or a keyword beside the branches: closed as a whole
    assert _object_branch({"anyOf": [ref("Named"), {"type": "object"}]}) is None
    assert _object_branch({"anyOf": [ref("Named"), {"type": "null"}], "properties": {}}) is None
    assert _object_branch({"anyOf": [ref("Named"), {"type": ["null", "object"]}]}) is None


def test_a_ref_to_one_static_component_is_closed_by_its_twin() -> None:
    """A ``$ref`` to a component that is one static part declaring properties points at its closed
    twin (the component with ``additionalProperties: false``): the verdicts of wrapping the ``$ref``."""
    named = {"type": "object", "properties": {"name": {"type": "string"}, "odd": ref("Odd~0Name")}}
    odd = {"type": "object", "properties": {"x": {"type": "integer"}}}
    both = {"allOf": [ref("Named"), {"properties": {"c": {"type": "string"}}}]}
    spec = Spec(
        {
            "openapi": "3.1.0",
            "paths": {},
            "components": {"schemas": {"Named": named, "Odd~Name": odd, "Both": both}},
        }
    )
    assert spec.schemas._twinned == {"Named", "Odd~Name"}
    assert spec.schemas._twin({"$ref": "#/components/schemas/Named", "readOnly": True}) == {
        "$ref": "#/components/x-closed-schemas/Named",
        "readOnly": True,
    }
    assert spec.schemas._twin(ref("Both")) is None
    assert spec.schemas._twin({"$ref": "#/components/schemas/Named", "type": "object"}) is None
    closed = spec.schemas.closed_validator(
        {"type": "object", "properties": {"n": ref("Named"), "b": ref("Both")}}
    )
    good: list[Any] = [{"n": {"name": "a", "odd": {"x": 1}}}, {"b": {"name": "a", "c": "d"}}, {"n": {}}]
    for value in good:
        assert closed.is_valid(value), value
    bad: list[Any] = [
        {"n": {"name": "a", "zz": 1}},
        {"n": {"odd": {"x": 1, "zz": 1}}},
        {"n": {"name": 5}},
        {"b": {"name": "a", "zz": 1}},
        {"zz": 1},
    ]
    for value in bad:
        assert not closed.is_valid(value), value
