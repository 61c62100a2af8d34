"""Structural validity: the Rust port of openapi-spec-validator, the Python one as reference and fallback."""

from __future__ import annotations

import copy
import subprocess
import sys
from typing import Any

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


def _mangled(spec: Spec) -> list[dict[str, object]]:
    """Documents the port refuses for different reasons: the schema check, an undeclared path
    parameter and a duplicate operationId (its checks beyond the schema)."""
    schema = broken(spec).raw
    undeclared = copy.deepcopy(spec.raw)
    undeclared["paths"]["/v3/targetGroups/{targetGroupId}"]["get"]["parameters"] = []
    undeclared["paths"]["/v3/targetGroups/{targetGroupId}"].pop("parameters", None)
    duplicate = copy.deepcopy(spec.raw)
    duplicate["paths"]["/v3/targetGroups"]["post"]["operationId"] = duplicate["paths"]["/v3/targetGroups"][
        "get"
    ]["operationId"]
    return [schema, undeclared, duplicate, copy.deepcopy(spec.raw)]


def _through_the_package(raw: dict[str, object]) -> list[object]:
    """The port's public API, called from a frame as deep as ``structural_errors``' own."""
    from openapi_spec_validator_rs import OpenAPIV31SpecValidator

    return list(OpenAPIV31SpecValidator(raw).iter_errors())


def _described(errors: list[object]) -> list[tuple[object, ...]]:
    return [(type(e), getattr(e, "message", None), list(getattr(e, "path", [])), str(e)) for e in errors]


def test_the_extension_alone_gives_the_packages_errors(spec: Spec) -> None:
    documents = _mangled(spec)
    found = [_described(structural_errors(raw)) for raw in documents]
    assert found == [_described(_through_the_package(raw)) for raw in documents]
    assert [len(errors) > 0 for errors in found] == [True, True, True, False]


def test_the_extension_is_called_as_the_package_calls_it(spec: Spec, monkeypatch: pytest.MonkeyPatch) -> None:
    from openapi_spec_validator_rs import _core

    from contracts.lint import structure

    calls: list[tuple[Any, ...]] = []
    real = _core.validate

    def recording(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(_core, "validate", recording)
    monkeypatch.setattr("openapi_spec_validator_rs.handlers.retrieve", lambda url: f"fetched {url}".encode())
    structural_errors(spec.raw)
    _through_the_package(spec.raw)
    ours, theirs = calls
    assert ours[0] is theirs[0] is spec.raw
    assert ours[1:4] + ours[5:] == theirs[1:4] + theirs[5:]  # version, base URI, all errors, depth, limit
    assert ours[4]("https://example.com/a.json") == theirs[4]("https://example.com/a.json")
    assert ours[4] is structure._retrieve


def test_a_valid_spec_is_judged_without_the_ports_package() -> None:
    """The port's Python package is imported only for a document with errors; loading its
    extension first does not stop the package from importing afterwards, sharing it."""
    script = (
        "import sys\n"
        "from contracts.lint.structure import structural_errors\n"
        "from contracts.spec import load_spec\n"
        "raw = load_spec().raw\n"
        "assert structural_errors(raw) == []\n"
        "assert 'openapi_spec_validator_rs' not in sys.modules\n"
        "core = sys.modules['openapi_spec_validator_rs._core']\n"
        "import openapi_spec_validator_rs\n"
        "assert openapi_spec_validator_rs._core is core\n"
        "raw['info'].pop('title')\n"
        "assert len(structural_errors(raw)) == 1\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
