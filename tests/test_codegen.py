"""The envelope typing is derived from the spec, and the generated package matches the spec."""

from __future__ import annotations

import copy
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from contracts.codegen import alias_name, class_name, render_envelopes
from contracts.errors import SpecError
from contracts.spec import Spec


def test_alias_and_class_names() -> None:
    assert alias_name("get-target-groups-id", "200") == "GetTargetGroupsId200"
    assert alias_name("getusertargetgroupdetails", "404") == "Getusertargetgroupdetails404"
    assert class_name("TargetGroup") == "TargetGroup"


def test_envelope_aliases_follow_the_data_schema(spec_minimal: Spec) -> None:
    source = render_envelopes(spec_minimal)
    assert "GetTargetGroupsId200 = Envelope[TargetGroup]" in source
    assert "GetTargetChannels200 = Envelope[list[Channel]]" in source
    assert "GetTargetGroupsId404 = ErrorEnvelope" in source
    assert '("get-target-groups-id", 404): GetTargetGroupsId404,' in source


def test_rendering_is_deterministic(spec_minimal: Spec) -> None:
    assert render_envelopes(spec_minimal) == render_envelopes(Spec(copy.deepcopy(spec_minimal.raw)))


def test_a_response_outside_the_envelope_is_a_spec_error(spec_minimal: Spec) -> None:
    raw = copy.deepcopy(spec_minimal.raw)
    content = raw["paths"]["/v3/targetGroups/channels"]["get"]["responses"]["200"]["content"]
    content["application/json"]["schema"] = {"type": "array", "items": {"type": "string"}}
    with pytest.raises(SpecError, match="not an allOf of the Envelope"):
        render_envelopes(Spec(raw))


@pytest.fixture(scope="module")
def minimal_package(tmp_path_factory: pytest.TempPathFactory, spec_minimal: Spec) -> types.ModuleType:
    """The models and envelopes generated from the minimal spec, imported from a temp dir."""
    root = tmp_path_factory.mktemp("gen")
    package = root / "generated"
    package.mkdir()
    assert spec_minimal.path is not None
    exe = Path(sys.executable).parent / "datamodel-codegen"
    subprocess.run(
        [str(exe), "--input", str(spec_minimal.path), "--output", str(package / "models.py")],
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
    )
    (package / "__init__.py").write_text("")
    (package / "envelopes.py").write_text(render_envelopes(spec_minimal))
    saved = {k: v for k, v in sys.modules.items() if k == "generated" or k.startswith("generated.")}
    for key in saved:
        del sys.modules[key]
    sys.path.insert(0, str(root))
    try:
        import generated.envelopes as envelopes

        return envelopes
    finally:
        sys.path.remove(str(root))
        for key in [k for k in sys.modules if k == "generated" or k.startswith("generated.")]:
            del sys.modules[key]
        sys.modules.update(saved)


def test_generated_envelope_parses_and_rejects(minimal_package: Any) -> None:
    body: dict[str, Any] = {"data": {"id": 1, "name": "G", "trackingType": "STREAKS", "x": 1}, "errors": None}
    model = minimal_package.parse_response("get-target-groups-id", 200, body)
    assert model.model_dump(mode="json", exclude_unset=True) == body
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        minimal_package.parse_response(
            "get-target-groups-id", 200, {**body, "data": {**body["data"], "trackingType": "Streaks"}}
        )
    with pytest.raises(ValidationError):
        minimal_package.parse_response("get-target-groups-id", 404, {"data": None, "errors": []})
