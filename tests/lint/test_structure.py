"""Structural validity: the Rust port of openapi-spec-validator, the Python one as reference and fallback."""

from __future__ import annotations

import copy
import sys

import pytest

from contracts.lint import iter_findings, load_rules
from contracts.lint.structure import structural_errors
from contracts.spec import Spec


def broken(spec: Spec) -> Spec:
    raw = copy.deepcopy(spec.raw)
    raw["info"].pop("title")
    raw["paths"]["/v3/targetGroups"]["get"]["responses"]["200"]["description"] = 5
    return Spec(raw)


def paths(errors: list[object]) -> list[list[str]]:
    return sorted([str(t) for t in getattr(e, "path", [])] for e in errors)


def test_rust_port_agrees_with_the_reference(spec: Spec) -> None:
    bad = broken(spec)
    assert paths(structural_errors(bad.raw)) == paths(structural_errors(bad.raw, rust=False))
    assert len(structural_errors(bad.raw)) == 2


def test_reference_validator_accepts_the_real_spec(spec: Spec) -> None:
    assert structural_errors(spec.raw, rust=False) == []


def test_falls_back_to_the_python_validator(spec: Spec, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openapi_spec_validator_rs", None)  # import fails
    others = [name for name in load_rules() if name != "openapi_valid"]
    found = list(iter_findings(broken(spec), disable=others))
    assert sorted(f.pointer for f in found) == [
        "/info",
        "/paths/~1v3~1targetGroups/get/responses/200/description",
    ]
