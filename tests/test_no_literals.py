"""No API fact is written in code: no catalogued error code, enum value or operationId is a literal in contracts/.

The spec carries every fact (docs/spec-conventions.md); code reads it. Docstrings and comments may name
facts (they explain), so the scan skips string statements and comments are not in the AST at all.
Two kinds of value are ambiguous and not counted: codes that mirror an HTTP status (``401``, ``403``: the
literal is the status a client compares with), and enum values that are also property or parameter names
(``NameType``'s ``targetName`` is the API's own field name too).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts.spec import Spec

PACKAGE = Path(__file__).resolve().parent.parent / "contracts"
HTTP_STATUSES = (100, 599)


def names(node: Any) -> Iterator[str]:
    """Every property and parameter name the spec declares."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield from node["properties"]
        if isinstance(node.get("name"), str) and "in" in node:
            yield node["name"]
        for value in node.values():
            yield from names(value)
    elif isinstance(node, list):
        for value in node:
            yield from names(value)


def facts(spec: Spec) -> tuple[set[int], set[str]]:
    """The catalogued codes, and every enum value and operationId of the spec (less the ambiguous ones)."""
    codes = {code for code in spec.error_catalogue if not HTTP_STATUSES[0] <= code <= HTTP_STATUSES[1]}
    words = {op.operation_id for op in spec.operations}
    for enum in spec.enums.values():
        words |= {v for v in enum.values if isinstance(v, str)}
    return codes, words - set(names(spec.raw))


def docstring_nodes(tree: ast.AST) -> set[int]:
    """ids of the string constants that are statements (module, class, function and attribute docstrings)."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    }


def literals(source: str, codes: set[int], words: set[str]) -> list[tuple[int, object]]:
    """(line, value) of each literal in ``source`` that is an API fact."""
    tree = ast.parse(source)
    skipped = docstring_nodes(tree)
    found: list[tuple[int, object]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or id(node) in skipped or isinstance(node.value, bool):
            continue
        if (isinstance(node.value, int) and node.value in codes) or (
            isinstance(node.value, str) and node.value in words
        ):
            found.append((node.lineno, node.value))
    return found


def test_no_api_fact_is_a_literal_in_contracts(spec: Spec) -> None:
    codes, words = facts(spec)
    found = {
        f"{path.relative_to(PACKAGE.parent)}:{line}": value
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, value in literals(path.read_text(encoding="utf-8"), codes, words)
    }
    assert found == {}, "API facts written as literals (read them from the spec instead)"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("CODE = 310069\n", [(1, 310069)]),
        ("if status == 'NOT_STARTED':\n    pass\n", [(1, "NOT_STARTED")]),
        ("HANDLERS = {'create-target-groups': None}\n", [(1, "create-target-groups")]),
    ],
)
def test_the_scan_fires_on_a_code_an_enum_value_and_an_operation_id(
    spec: Spec, source: str, expected: list[tuple[int, object]]
) -> None:
    assert literals(source, *facts(spec)) == expected


def test_the_scan_stays_quiet_on_docstrings_comments_and_other_values(spec: Spec) -> None:
    source = (
        '"""Answers 310069 for a duplicate name (create-target-groups), NOT_STARTED by default."""\n'
        "def f() -> int:\n"
        '    """Returns 310008."""\n'
        "    return 200  # 310069 is read from the spec\n"
        'LIMIT = 10\n"""NOT_STARTED: an attribute docstring."""\n'
        "flag = True\n"
    )
    assert literals(source, *facts(spec)) == []
