"""`contracts lint` on hostile specs and flags: a spec it cannot read is exit 2 with one line; a
readable spec of any shape is judged (findings, exit 1), never a traceback."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ._support import CANARY, CORPUS, SPEC, assert_judged, assert_refused, real_spec, run_cli

UNREADABLE = {
    "empty.json": "empty file",
    "blank.json": "empty file",
    "not-utf8.json": "not UTF-8",
    "top-array.json": "not an OpenAPI document",
    "top-string.json": "not an OpenAPI document",
    "openapi-2.json": "'openapi' is missing, expected 3.x",
    "malformed.json": "malformed.json:2:13: malformed JSON",
    "nan.json": "malformed JSON (NaN is not JSON)",
    "bad.yaml": "malformed YAML",
    "recursive.yaml": "nested deeper than 100 levels",
    "billion-laughs.yaml": "more than 1,000,000 objects and arrays",
}
"""Corpus file → what the one error line says."""


def test_the_corpus_and_the_table_agree() -> None:
    assert {p.name for p in (CORPUS / "specs").iterdir()} == set(UNREADABLE) | {"openapi-number.json"}


@pytest.mark.parametrize(("name", "message"), sorted(UNREADABLE.items()))
def test_unreadable_spec_is_one_line_exit_two(
    name: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    outcome = run_cli(["lint", str(CORPUS / "specs" / name)], capsys)
    assert_refused(outcome, message)
    assert outcome.out == ""


Mutation = Callable[[dict[str, Any]], object]
GROUP = "/v3/targetGroups/{targetGroupId}"


def _op(raw: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = raw["paths"][GROUP]["get"]
    return result


def _deep(levels: int) -> Any:
    node: Any = {}
    for _ in range(levels):
        node = {"x": node}
    return node


SHAPES: dict[str, tuple[Mutation, str]] = {
    "operation-a-string": (lambda r: r["paths"][GROUP].update(get="nope"), "document_shape"),
    "operation-a-number": (lambda r: r["paths"][GROUP].update(get=5), "document_shape"),
    "path-item-null": (lambda r: r["paths"].update({GROUP: None}), "document_shape"),
    "no-operation-id": (lambda r: _op(r).pop("operationId"), "document_shape"),
    "operation-id-a-number": (lambda r: _op(r).update(operationId=7), "document_shape"),
    "schemas-removed": (lambda r: r["components"].pop("schemas"), "refs_resolvable"),
    "components-a-number": (lambda r: r.update(components=5), "document_shape"),
    "paths-an-array": (lambda r: r.update(paths=[]), "document_shape"),
    "responses-an-array": (lambda r: _op(r).update(responses=[]), "document_shape"),
    "parameters-an-object": (lambda r: _op(r).update(parameters={"name": "x"}), "document_shape"),
    "parameter-without-name": (lambda r: _op(r).update(parameters=[{"in": "query"}]), "document_shape"),
    "doc-slugs-a-string": (lambda r: _op(r).update({"x-doc-slugs": "get-x"}), "document_shape"),
    "error-codes-strings": (lambda r: _op(r).update({"x-error-codes": ["310017"]}), "document_shape"),
    "catalogue-an-array": (lambda r: r["components"].update({"x-error-codes": []}), "document_shape"),
    "catalogue-status-a-string": (
        lambda r: r["components"]["x-error-codes"]["310017"].update(status="404"),
        "document_shape",
    ),
    "circular-refs": (
        lambda r: r["components"]["schemas"].update(
            Channel={"$ref": "#/components/schemas/Loop"}, Loop={"$ref": "#/components/schemas/Channel"}
        ),
        "refs_resolvable",
    ),
    "ref-a-number": (lambda r: r["components"]["schemas"].update(Channel={"$ref": 5}), "openapi_valid"),
    "content-a-string": (
        lambda r: _op(r)["responses"].update({"200": {"description": "x", "content": "json"}}),
        "openapi_valid",
    ),
    "deep-but-readable": (lambda r: r["info"].update({"x-deep": _deep(90)}), "clean"),
}
"""Readable specs of the wrong shape → a finding of this rule (exit 1), or ``clean``."""


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_wrong_shapes_are_findings_not_crashes(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutation, rule = SHAPES[name]
    raw = real_spec()
    mutation(raw)
    file = tmp_path / f"{name}.json"
    file.write_text(json.dumps(raw, indent=1))
    outcome = run_cli(["lint", str(file)], capsys)
    assert "Traceback" not in outcome.err and "internal error" not in outcome.err
    if rule == "clean":
        assert outcome.code == 0, outcome
        return
    assert outcome.code == 1, outcome
    assert f" {rule} " in outcome.out
    assert outcome.err == ""


def test_the_other_commands_refuse_a_defective_spec_with_the_lint_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = real_spec()
    raw["paths"][GROUP]["get"] = "nope"
    file = tmp_path / "spec.json"
    file.write_text(json.dumps(raw))
    body = tmp_path / "body.json"
    body.write_text("{}")
    outcome = run_cli(["--spec", str(file), "validate", "-o", "get-targets", "-s", "200", str(body)], capsys)
    assert_refused(outcome, "an operation must be an object, not a string")
    assert "contracts lint" in outcome.err


@pytest.mark.parametrize(("levels", "readable"), [(100_000, False), (5_000, False), (150, False), (60, True)])
def test_deep_nesting(
    levels: int, readable: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = real_spec()
    file = tmp_path / "deep.json"
    text = json.dumps(raw)
    # built as text: json.dumps itself recurses
    file.write_text(text[:-1] + ', "x-deep": ' + "[" * levels + "]" * levels + "}")
    outcome = run_cli(["lint", str(file)], capsys)
    if readable:
        assert_judged(outcome)
        assert outcome.code == 0
    else:
        assert_refused(outcome, "nested deeper than 100 levels")


def test_hostile_text_in_pointers_is_escaped_and_userinfo_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = real_spec()
    raw["paths"]["/\x1b]0;owned\x07\ud800"] = {"get": "nope"}
    raw["servers"] = f"https://admin:{CANARY}@staging.example.com"
    file = tmp_path / "spec.json"
    file.write_text(json.dumps(raw))
    for fmt in ("text", "json", "github", "sarif"):
        outcome = run_cli(["lint", "--format", fmt, str(file)], capsys)
        assert outcome.code == 1
        printed = outcome.out + outcome.err
        assert "\x1b]" not in printed and "\x07" not in printed
        assert CANARY not in printed
        assert "\\ud800" in printed or "\\\\ud800" in printed or fmt == "sarif"


def test_a_yaml_spec_with_the_wrong_shape_is_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "spec.yaml"
    file.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get: nope\n")
    outcome = run_cli(["lint", str(file)], capsys)
    assert outcome.code == 1
    assert "document_shape /paths/~1x/get: an operation must be an object, not a string" in outcome.out


def test_openapi_given_as_a_number_is_a_finding(capsys: pytest.CaptureFixture[str]) -> None:
    outcome = run_cli(["lint", str(CORPUS / "specs" / "openapi-number.json")], capsys)
    assert outcome.code == 1
    assert "openapi_valid" in outcome.out


def _copy_spec(tmp_path: Path) -> Path:
    file = tmp_path / "v3.json"
    file.write_text(SPEC.read_text(encoding="utf-8"))
    return file


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--write-baseline", "{tmp}/no/such/dir/baseline.json"],
            "the folder {tmp}/no/such/dir does not exist",
        ),
        (["--write-baseline", "{tmp}"], "is a directory"),
        (["--sarif", "{tmp}/missing/lint.sarif"], "cannot write the SARIF log"),
        (["--sarif", "{tmp}"], "is a directory"),
        (["--baseline", "{tmp}/absent.json"], "no such baseline file"),
        (["--baseline", str(CORPUS / "bodies" / "malformed.json")], "not a baseline file"),
        (["--baseline", str(CORPUS / "har" / "entries-null.har")], "not a baseline file"),
        (["--disable", "no_such_rule"], "unknown lint rule 'no_such_rule'"),
        (["--format", "xml"], "Invalid value for '--format'"),
    ],
)
def test_bad_flags_exit_two_before_any_work(
    flags: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [f.replace("{tmp}", str(tmp_path)) for f in flags]
    outcome = run_cli(["lint", *args, str(_copy_spec(tmp_path))], capsys)
    assert_refused(outcome, message.replace("{tmp}", str(tmp_path)))
    assert outcome.out == ""


def test_output_locations_are_checked_before_the_spec_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The baseline's folder is refused even though the spec is missing: outputs come first."""
    outcome = run_cli(
        ["lint", "--write-baseline", str(tmp_path / "x" / "b.json"), str(tmp_path / "absent.json")], capsys
    )
    assert_refused(outcome, "cannot write the baseline")
    assert not (tmp_path / "x").exists()


def test_write_baseline_into_a_read_only_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        outcome = run_cli(
            ["lint", "--write-baseline", str(locked / "b.json"), str(_copy_spec(tmp_path))], capsys
        )
        assert_refused(outcome, "is not writable")
    finally:
        locked.chmod(0o700)


def test_a_spec_that_is_a_directory_or_a_device(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_refused(run_cli(["lint", str(tmp_path)], capsys), "is a directory")
    if Path("/dev/zero").exists():
        assert_refused(run_cli(["lint", "/dev/zero"], capsys), "larger than 64 MB")


def test_real_spec_copy_stays_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The control: what the hostile cases change is what makes them fail."""
    raw = copy.deepcopy(real_spec())
    file = tmp_path / "v3.json"
    file.write_text(json.dumps(raw))
    assert run_cli(["lint", str(file)], capsys).code == 0
