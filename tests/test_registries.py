"""One registry mechanism for checks and lint rules: the name is written once (the ``def``) and the
registry fills it into every finding; a name belongs to one module."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from contracts import checks, lint
from contracts.checks import CheckContext, check, iter_findings
from contracts.errors import UsageError
from contracts.exchange import Exchange
from contracts.findings import Finding
from contracts.lint import rule
from contracts.registry import Registry, finding, named
from contracts.spec import Spec

CONTRACTS = Path(__file__).resolve().parent.parent / "contracts"


def test_both_registries_are_one_mechanism() -> None:
    assert isinstance(checks.REGISTRY, Registry) and isinstance(lint.RULES, Registry)
    assert checks.REGISTRY.kind == "check" and lint.RULES.kind == "lint rule"


def test_a_check_name_is_filled_into_its_findings(spec: Spec) -> None:
    @check(requires=["json"])
    def _always(ctx: CheckContext) -> Iterator[Finding]:
        yield ctx.finding("always", "/data", "/components/schemas/Envelope")

    try:
        exchange = Exchange.from_json("get-target-channels", 200, {"data": [], "errors": None})
        found = list(iter_findings(spec, exchange, checks.select(["_always"])))
    finally:
        checks.unregister("_always")
    assert [(f.check, f.operation, f.status, f.pointer) for f in found] == [
        ("_always", "get-target-channels", 200, "/data")
    ]


def test_a_rule_name_is_filled_into_its_findings(spec: Spec) -> None:
    @rule(hint="h")
    def _planted(spec: Spec) -> Iterator[Finding]:
        yield lint.finding("planted", "/info")

    try:
        found = [f for f in lint.iter_findings(spec) if f.pointer == "/info" and f.message == "planted"]
    finally:
        lint.unregister("_planted")
    assert [(f.check, f.spec_pointer, f.extra["hint"]) for f in found] == [("_planted", "/info", "h")]


def test_named_keeps_a_name_already_given() -> None:
    given = [finding("a"), Finding("other", "b")]
    assert [f.check for f in named("mine", given)] == ["mine", "other"]


def test_one_module_owns_a_name() -> None:
    registry: Registry[checks.Check] = Registry("check")

    def same(ctx: CheckContext) -> Iterator[Finding]:
        yield from ()

    def impostor(ctx: CheckContext) -> Iterator[Finding]:
        yield from ()

    impostor.__module__ = "elsewhere"
    registry.register(checks.Check("same", same, frozenset(), same.__module__))
    registry.register(checks.Check("same", same, frozenset(), same.__module__))  # a reload is fine
    with pytest.raises(ValueError, match="check 'same' is already registered"):
        registry.register(checks.Check("same", impostor, frozenset(), "elsewhere"))


def test_unknown_names_get_a_did_you_mean() -> None:
    with pytest.raises(UsageError) as caught:
        checks.select(["status_code_documente"])
    assert caught.value.hint == "did you mean 'status_code_documented'?"


def test_no_check_or_rule_repeats_its_name_in_a_finding() -> None:
    """Built-in checks and rules yield findings without a name: the registry writes it."""
    repeated = []
    for path in [*(CONTRACTS / "checks").glob("*.py"), *(CONTRACTS / "lint").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and call.args
                    and isinstance(call.args[0], ast.Constant)
                    and call.args[0].value == node.name
                ):
                    repeated.append(f"{path.name}:{node.name}")
    assert repeated == []
