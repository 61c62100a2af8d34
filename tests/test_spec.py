"""The Spec index: loading errors, operation lookup, path matching, catalogues."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.errors import SpecError, UsageError
from contracts.spec import Spec, join_pointer, load_spec, resolve_pointer


def test_operation_by_id_and_by_doc_slug(spec_minimal: Spec) -> None:
    op = spec_minimal.operation("create-streak")
    assert op.operation_id == "create-target-groups"
    assert op is spec_minimal.operation("create-target-groups")
    assert op.method == "POST"
    assert op.is_write


def test_unknown_operation_suggests_the_closest(spec_minimal: Spec) -> None:
    with pytest.raises(UsageError) as info:
        spec_minimal.operation("get-target-group-id")
    assert info.value.hint == "did you mean 'get-target-groups-id'?"


def test_literal_path_segments_win_over_templates(spec_minimal: Spec) -> None:
    found = spec_minimal.match("GET", "/v3/targetGroups/channels?x=1")
    assert found is not None
    assert found[0].operation_id == "get-target-channels"
    by_id = spec_minimal.match("get", "/v3/targetGroups/18044")
    assert by_id is not None
    assert by_id[0].operation_id == "get-target-groups-id"
    assert by_id[1] == {"targetGroupId": "18044"}
    assert spec_minimal.match("DELETE", "/v3/targetGroups/18044") is None


def test_codes_for_status_come_from_the_catalogue(spec_minimal: Spec) -> None:
    op = spec_minimal.operation("get-target-groups-id")
    assert op.codes_for_status(404) == (310017,)
    assert op.codes_for_status(400) == (300004,)
    assert op.codes_for_status(409) == ()
    assert spec_minimal.error_catalogue[310017].status == 404


def test_response_lookup_and_pointer(spec_minimal: Spec) -> None:
    op = spec_minimal.operation("get-target-groups-id")
    assert op.response_key(404) == "404"
    assert op.response_key(500) is None
    assert op.response_pointer(200) == "/paths/~1v3~1targetGroups~1{targetGroupId}/get/responses/200"
    assert op.response_schema(404) == {"$ref": "#/components/schemas/ErrorEnvelope"}


def test_enums_are_indexed_by_component_name(spec_minimal: Spec) -> None:
    assert "STREAKS" in spec_minimal.enums["TrackingType"].values
    assert spec_minimal.enums["PeriodStatus"].pointer == "/components/schemas/PeriodStatus"


def test_pointers_escape_and_resolve() -> None:
    doc = {"paths": {"/a/b": {"get": [1, 2]}}}
    pointer = join_pointer("/paths", "/a/b", "get", 1)
    assert pointer == "/paths/~1a~1b/get/1"
    assert resolve_pointer(doc, pointer) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"openapi": "3.1.0", "paths": {', "malformed JSON"),
        ('{"openapi": "2.0", "paths": {}}', "expected 3.x"),
        ("[]", "not an OpenAPI document"),
        ('{"openapi": "3.1.0", "paths": {"/x": {"get": {}}}}', "has no operationId"),
    ],
)
def test_bad_documents_give_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    file = tmp_path / "spec.json"
    file.write_text(text)
    with pytest.raises(SpecError) as info:
        Spec.from_path(file)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_spec_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no such spec file"):
        load_spec(tmp_path / "absent.json")


def test_duplicate_slug_is_recorded_for_the_linter(spec_minimal: Spec) -> None:
    import copy

    raw = copy.deepcopy(spec_minimal.raw)
    raw["paths"]["/v3/targetGroups/channels"]["get"]["x-doc-slugs"] = ["create-streak"]
    spec = Spec(raw)
    [(name, first, second)] = spec.duplicate_names
    assert (name, first.operation_id, second.operation_id) == (
        "create-streak",
        "create-target-groups",
        "get-target-channels",
    )
    assert spec.operation("create-streak") is first


def test_load_spec_is_cached_per_file_version(tmp_path: Path, spec_minimal: Spec) -> None:
    file = tmp_path / "v3.json"
    assert spec_minimal.text is not None
    file.write_text(spec_minimal.text)
    assert load_spec(file) is load_spec(file)


def test_a_match_with_path_parameters_is_the_callers_own(spec_minimal: Spec) -> None:
    """Not cached (an id seldom comes again) and never shared: changing one leaves the next alone;
    the method in any case, the query string ignored."""
    first = spec_minimal.match("GET", "/v3/targetGroups/18044")
    assert first is not None
    first[1]["targetGroupId"] = "changed"
    again = spec_minimal.match("Get", "/v3/targetGroups/18044?x=1")
    assert again is not None and again[1] == {"targetGroupId": "18044"}
    literal = spec_minimal.match("get", "/v3/targetGroups/channels")
    assert literal is not None and literal[1] == {}
    literal[1]["x"] = "y"
    assert spec_minimal.match("GET", "/v3/targetGroups/channels") == (literal[0], {})
