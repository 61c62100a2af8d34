"""JSON pointers to line numbers, scanning only what lies on the way."""

from __future__ import annotations

import json

from contracts.lint.locate import Locator
from contracts.spec import Spec, unescape_token

TEXT = '{\n  "a": {\n    "b/c": [\n      1,\n      {"d": "x\\"y"}\n    ]\n  },\n  "e": null,\n  "\\u00e9t\\u00e9": 2\n}\n'


def test_lines_of_pointers() -> None:
    locator = Locator(TEXT)
    assert locator.line("") == 1
    assert locator.line("/a") == 2
    assert locator.line("/a/b~1c") == 3
    assert locator.line("/a/b~1c/0") == 4
    assert locator.line("/a/b~1c/1/d") == 5
    assert locator.line("/e") == 8
    assert locator.line("/été") == 9


def test_missing_pointer_falls_back_to_the_nearest_ancestor() -> None:
    locator = Locator(TEXT)
    assert locator.line("/a/b~1c/1/d/missing") == 5
    assert locator.line("/a/b~1c/7") == 3
    assert locator.line("/nope/deeper") == 1


def test_not_json_falls_back_to_line_one() -> None:
    assert Locator("openapi: 3.1.0\n").line("/openapi") == 1
    assert Locator('{"a": {"b": [1, }').line("/a/b/0") == 1


def test_every_component_and_operation_of_the_real_spec_is_on_its_key_line(spec: Spec) -> None:
    assert spec.text is not None
    lines = spec.text.splitlines()
    locator = Locator(spec.text)
    pointers = [s.pointer for s in spec.enums.values()] + [op.pointer for op in spec.operations]
    pointers += [f"/components/schemas/{name}" for name in spec.raw["components"]["schemas"]]
    for pointer in pointers:
        key = json.dumps(unescape_token(pointer.rsplit("/", 1)[1]))
        assert lines[locator.line(pointer) - 1].lstrip().startswith(key + ":"), pointer
