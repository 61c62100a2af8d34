"""The rule registry: severities, overrides, disabling, and a rule the document breaks."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest

from contracts.errors import UsageError
from contracts.findings import Finding
from contracts.lint import finding, iter_findings, load_rules, rule, unregister
from contracts.spec import Spec

PLANTED = {"/components/schemas/TrackingType/enum/5", "/components/schemas/Orphan"}


def defective(spec: Spec) -> Spec:
    raw = copy.deepcopy(spec.raw)
    raw["components"]["schemas"]["TrackingType"]["enum"].append("Streak")
    raw["components"]["schemas"]["Orphan"] = {"type": "string"}
    return Spec(raw)


def planted(findings: Iterator[Finding]) -> list[Finding]:
    """The findings of the two planted defects (whatever else the spec being edited has)."""
    return [f for f in findings if f.pointer in PLANTED]


def test_rules_are_named_snake_case_with_a_summary_and_hint() -> None:
    for name, registered in load_rules().items():
        assert name.islower() and " " not in name
        assert registered.summary and registered.hint
        assert registered.severity in ("error", "warning", "info")


def test_default_severities(spec: Spec) -> None:
    found = {f.check: f.severity for f in planted(iter_findings(defective(spec)))}
    assert found == {"enum_upper_snake": "error", "no_unused_components": "warning"}


def test_severity_override_and_disable(spec: Spec) -> None:
    found = planted(
        iter_findings(
            defective(spec), disable=["no_unused_components"], severity={"enum_upper_snake": "info"}
        )
    )
    assert [(f.check, f.severity) for f in found] == [("enum_upper_snake", "info")]


@pytest.mark.parametrize("option", ["disable", "severity"])
def test_unknown_rule_names_the_closest(spec: Spec, option: str) -> None:
    names = {"enum_upper_snak": "warning"}
    with pytest.raises(UsageError) as caught:
        list(iter_findings(spec, **{option: names}))  # type: ignore[arg-type]
    assert caught.value.hint == "did you mean 'enum_upper_snake'?"


def test_a_rule_the_document_breaks_reports_instead_of_crashing(spec: Spec) -> None:
    @rule(hint="h")
    def _explodes(spec: Spec) -> Iterator[Finding]:
        yield finding("_explodes", "never", "/")
        raise KeyError("components")

    try:
        found = [f for f in iter_findings(spec) if f.check == "_explodes"]
    finally:
        unregister("_explodes")
    assert [f.message for f in found] == ["never", "could not be checked: 'components'"]


def test_a_name_is_registered_by_one_module_only() -> None:
    def enum_upper_snake(spec: Spec) -> Iterator[Finding]:
        yield from ()

    load_rules()
    enum_upper_snake.__module__ = "elsewhere"
    with pytest.raises(ValueError, match="already registered"):
        rule()(enum_upper_snake)
