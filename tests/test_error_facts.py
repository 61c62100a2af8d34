"""``spec.error_facts``: every error fact read once, with the pointer where the spec states it; a
malformed extension is one SpecError naming its place."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

import pytest

from contracts.error_facts import FORBIDDEN, INVALID_INPUT, ITEMS, REQUIRED, UNAUTHENTICATED, ErrorFacts
from contracts.errors import SpecError
from contracts.mock.auth import Denial
from contracts.spec import Spec, join_pointer

Edit = Callable[[dict[str, Any]], None]


def edited(spec: Spec, edit: Edit) -> Spec:
    raw = copy.deepcopy(spec.raw)
    edit(raw)
    return Spec(raw)


def operation_with(spec: Spec, predicate: Callable[[Any], bool]) -> Any:
    return next(op for op in spec.operations if predicate(spec.error_facts.of(op)))


def test_every_fact_is_the_value_at_its_pointer(spec: Spec) -> None:
    """Roles, not-found codes, constraint codes, x-unique and x-rules codes: each pointer holds its code."""
    facts = spec.error_facts
    seen = {"role": 0, "not-found": 0, "constraint": 0, "body-constraint": 0, "unique": 0, "rule": 0}
    for coded in facts.roles.values():
        assert spec.at(coded.pointer) == coded.code
        seen["role"] += 1
    for op in spec.operations:
        of = facts.of(op)
        for param in of.parameters:
            if param.not_found is not None:
                assert spec.at(param.not_found.pointer) == param.not_found.code
                assert spec.deref(spec.at(param.pointer))["name"] == param.name
                seen["not-found"] += 1
            for constraint in param.constraints:
                assert spec.at(constraint.pointer) == constraint.code
                seen["constraint"] += 1
        for site in of.body:
            for constraint in site.constraints:
                assert spec.at(constraint.pointer) == constraint.code
                assert constraint.keyword == REQUIRED or constraint.keyword in site.schema
                seen["body-constraint"] += 1
            if site.unique is not None:
                assert spec.at(site.unique.pointer) == site.unique.code
                seen["unique"] += 1
        for rule in of.rules:
            entry = spec.at(rule.pointer)
            assert entry["rule"] == rule.name and entry.get("code") == rule.code
            seen["rule"] += 1
    assert all(seen.values()), seen  # the real spec states every kind of fact


def test_the_roles_are_the_catalogued_codes_auth_and_guard_name(spec: Spec) -> None:
    roles = spec.error_facts.roles
    assert set(roles) == {INVALID_INPUT, UNAUTHENTICATED, FORBIDDEN}
    assert all(coded.code in spec.error_catalogue for coded in roles.values())
    assert set(get_args(Denial)) <= set(roles)  # the mock's auth decides in role names
    assert spec.error_facts.role(INVALID_INPUT) == spec.raw["components"]["x-error-roles"][INVALID_INPUT]


def test_body_sites_say_where_in_the_body_through_refs_and_items(spec: Spec) -> None:
    """``required`` is a body constraint like any other; array items are ``*``; a ``$ref`` with sibling
    keywords is read with its target's keywords (the enum a constraint names lives in the target)."""
    facts = spec.error_facts
    sites = [site for op in spec.operations for site in facts.of(op).body]
    required = [s for s in sites if s.code(REQUIRED) is not None]
    assert required and all(s.where for s in required)
    beside_ref = [s for s in sites if "$ref" in spec.at(s.pointer)]
    assert beside_ref and all(
        any(c.keyword in spec.deref(spec.at(s.pointer)) for c in s.constraints if c.keyword != REQUIRED)
        for s in beside_ref
    )
    in_items = [s for s in sites if ITEMS in s.where]
    assert in_items
    unique = [s for s in sites if s.unique is not None]
    assert unique and all(len(s.where) == 1 for s in unique)
    op = operation_with(spec, lambda of: any(s.unique for s in of.body))
    of = facts.of(op)
    site = next(s for s in of.body if s.unique)
    assert of.body_at(site.pointer) is site
    assert site.unique is not None and site.unique.code in of.business_rule_codes


def test_a_referenced_parameter_points_at_its_component_and_its_schema_may_state_the_codes(
    spec: Spec,
) -> None:
    op = operation_with(spec, lambda of: any(p.constraints for p in of.parameters))
    param = next(p for p in spec.error_facts.of(op).parameters if p.constraints)
    index = next(i for i, p in enumerate(op.raw["parameters"]) if spec.deref(p)["name"] == param.name)
    codes = {c.keyword: c.code for c in param.constraints}

    def move(raw: dict[str, Any]) -> None:
        declared = raw["paths"][op.path][op.method.lower()]["parameters"][index]
        moved = dict(declared)
        moved["schema"] = {**moved["schema"], "x-constraint-codes": moved.pop("x-constraint-codes")}
        raw["components"].setdefault("parameters", {})["Moved"] = moved
        raw["paths"][op.path][op.method.lower()]["parameters"][index] = {
            "$ref": "#/components/parameters/Moved"
        }

    moved = edited(spec, move)
    found = moved.error_facts.of(moved.operation(op.operation_id)).parameter(param.name, param.location)
    assert found is not None
    assert found.pointer == "/components/parameters/Moved"
    assert {c.keyword: c.code for c in found.constraints} == codes
    assert all(
        c.pointer.startswith("/components/parameters/Moved/schema/x-constraint-codes/")
        for c in found.constraints
    )


def _first_param_with(raw: dict[str, Any], key: str) -> dict[str, Any]:
    for item in raw["paths"].values():
        for op in item.values():
            for param in op.get("parameters", []) if isinstance(op, dict) else []:
                if key in param:
                    return param  # type: ignore[no-any-return]
    raise AssertionError(key)


def _first_rules(raw: dict[str, Any]) -> list[Any]:
    for item in raw["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and "x-rules" in op:
                return op["x-rules"]  # type: ignore[no-any-return]
    raise AssertionError("x-rules")


def _set(raw: dict[str, Any], pointer: str, value: Any) -> None:
    *parents, last = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    node: Any = raw
    for token in parents:
        node = node[int(token)] if isinstance(node, list) else node[token]
    node[last] = value


def _role(raw: dict[str, Any], value: Any) -> None:
    raw["components"]["x-error-roles"][INVALID_INPUT] = value


NAME = "/components/schemas/TargetGroupFields/properties/name"

MALFORMED: list[tuple[str, Edit, str]] = [
    (
        "roles not an object",
        lambda r: _set(r, "/components/x-error-roles", [1]),
        "/components/x-error-roles:",
    ),
    ("a role not catalogued", lambda r: _role(r, 999_999_999), "/components/x-error-roles/invalid-input:"),
    ("a role not a code", lambda r: _role(r, "300004"), "/components/x-error-roles/invalid-input:"),
    (
        "x-not-found-code a string",
        lambda r: _first_param_with(r, "x-not-found-code").__setitem__("x-not-found-code", "nope"),
        "/x-not-found-code: x-not-found-code must be an error code",
    ),
    (
        "x-constraint-codes a list",
        lambda r: _first_param_with(r, "x-constraint-codes").__setitem__("x-constraint-codes", ["type"]),
        "/x-constraint-codes: x-constraint-codes must map",
    ),
    (
        "a constraint code a boolean",
        lambda r: _set(r, NAME + "/x-constraint-codes/maxLength", True),
        NAME + "/x-constraint-codes/maxLength: must be an error code",
    ),
    ("x-unique a string", lambda r: _set(r, NAME + "/x-unique", "yes"), NAME + "/x-unique:"),
    (
        "x-rules an object",
        lambda r: _set_rules(r, {"rule": "x"}),
        "/x-rules: x-rules must be a list",
    ),
    ("an x-rules entry without a rule", lambda r: _first_rules(r).append({"code": 1}), "an x-rules entry"),
    (
        "an x-rules code a string",
        lambda r: _first_rules(r).append({"rule": "r", "code": "310094"}),
        "/code: code must be an error code",
    ),
]


def _set_rules(raw: dict[str, Any], value: Any) -> None:
    for item in raw["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and "x-rules" in op:
                op["x-rules"] = value
                return


@pytest.mark.parametrize(("what", "edit", "message"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_extension_is_one_spec_error_naming_its_place(
    spec: Spec, what: str, edit: Edit, message: str
) -> None:
    broken = edited(spec, edit)
    with pytest.raises(SpecError) as caught:
        ErrorFacts(broken)
    text = str(caught.value)
    assert message in text, text
    assert "\n" not in text


def test_a_missing_role_is_one_spec_error_when_asked_for(spec: Spec) -> None:
    broken = edited(spec, lambda raw: raw["components"]["x-error-roles"].pop(FORBIDDEN))
    assert FORBIDDEN not in broken.error_facts.roles
    with pytest.raises(SpecError, match=r"x-error-roles.*forbidden"):
        broken.error_facts.role(FORBIDDEN)


def test_the_mock_refuses_a_malformed_extension_in_one_line_and_a_hint(spec: Spec, tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text(
        json.dumps(edited(spec, lambda r: _set(r, NAME + "/x-unique", "yes")).raw), encoding="utf-8"
    )
    cli = Path(sys.executable).parent / "contracts"
    result = subprocess.run(
        [str(cli), "--spec", str(path), "mock", "--port", "0"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert NAME + "/x-unique" in lines[0] and all(line.startswith("hint:") for line in lines[1:]), lines


def test_join_pointer_of_a_rule_matches_the_operation(spec: Spec) -> None:
    op = operation_with(spec, lambda of: bool(of.rules))
    rule = spec.error_facts.of(op).rules[0]
    assert rule.pointer == join_pointer(op.pointer, "x-rules", 0)
