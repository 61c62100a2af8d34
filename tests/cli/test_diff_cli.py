"""`contracts diff OLD [NEW]`: files and git refs, every format located in the NEW file, exit codes 0/1/2."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from contracts.cli import main
from contracts.spec import DEFAULT_SPEC_PATH as SPEC

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def breaking_copy(folder: Path) -> Path:
    """The real spec with one request enum value removed (WindowType MAX)."""
    raw = json.loads(SPEC.read_text())
    raw["components"]["schemas"]["WindowType"]["enum"].remove("MAX")
    file = folder / "new.json"
    file.write_text(json.dumps(raw, indent=2))
    return file


def line_of(file: Path, needle: str) -> int:
    """The 1-based line of the first line of ``file`` containing ``needle`` after the WindowType key."""
    lines = file.read_text().splitlines()
    start = next(i for i, text in enumerate(lines) if '"WindowType": {' in text)
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def test_breaking_change_exits_one_and_names_file_line_pointer_and_operations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = breaking_copy(tmp_path)
    assert main(["diff", str(SPEC), str(new)]) == 1
    out = capsys.readouterr().out.splitlines()
    line = line_of(new, '"enum"')
    assert out[0] == (
        f"{new}:{line}: BREAKING enum-value-removed /components/schemas/WindowType/enum/1: "
        "value 'MAX' removed (clients may send it)"
    )
    sites = [line.strip() for line in out[1:-1]]
    assert "create-target-groups: request body windowType" in sites
    assert all(line.startswith("    ") for line in out[1:-1])
    assert out[-1] == "1 breaking, 0 non-breaking change(s)"


def test_a_removal_is_located_at_the_object_it_left_in_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = json.loads(SPEC.read_text())
    raw["components"]["schemas"]["TargetGroup"]["properties"].pop("fromDate")
    new = tmp_path / "new.json"
    new.write_text(json.dumps(raw, indent=2))
    assert main(["diff", str(SPEC), str(new)]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert " BREAKING property-removed /components/schemas/TargetGroup/properties/fromDate: " in first
    lines = new.read_text().splitlines()
    group = next(i for i, text in enumerate(lines) if text.strip() == '"TargetGroup": {')
    properties = next(i for i in range(group, len(lines)) if lines[i].strip() == '"properties": {') + 1
    assert first.startswith(f"{new}:{properties}: ")


def test_same_spec_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(SPEC), str(SPEC)]) == 0
    assert capsys.readouterr().out == "0 breaking, 0 non-breaking change(s)\n"


def test_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = breaking_copy(tmp_path)
    assert main(["diff", str(SPEC), str(new), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["breaking"] == 1
    (change,) = data["changes"]
    assert change["kind"] == "enum-value-removed"
    assert change["pointer"] == "/components/schemas/WindowType/enum/1"
    assert change["file"] == str(new)
    assert change["line"] == line_of(new, '"enum"')
    assert {"operation": "create-target-groups", "where": "request body windowType"}.items() <= next(
        o for o in change["operations"] if o["operation"] == "create-target-groups"
    ).items()


# The parts of SARIF 2.1.0 a log with located results must satisfy, written out from the standard.
SARIF: dict[str, Any] = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "rules": {
                                        "type": "array",
                                        "items": {"type": "object", "required": ["id"]},
                                    }
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "message", "level", "locations"],
                            "properties": {
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": {"type": "object", "required": ["text"]},
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["physicalLocation"],
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation", "region"],
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "required": ["uri"],
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "required": ["startLine"],
                                                        "properties": {
                                                            "startLine": {"type": "integer", "minimum": 1}
                                                        },
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def test_sarif_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = breaking_copy(tmp_path)
    assert main(["diff", str(SPEC), str(new), "--format", "sarif"]) == 1
    log = json.loads(capsys.readouterr().out)
    jsonschema_rs.validator_for(SARIF).validate(log)
    run = log["runs"][0]
    (result,) = run["results"]
    assert result["ruleId"] == "enum-value-removed" and result["level"] == "error"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "enum-value-removed"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == str(new)
    assert location["region"]["startLine"] == line_of(new, '"enum"')
    assert "create-target-groups: request body windowType" in result["message"]["text"]


def test_github_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = breaking_copy(tmp_path)
    raw = json.loads(new.read_text())
    raw["components"]["schemas"]["TargetGroup"]["properties"]["color"] = {"type": "string"}  # not breaking
    new.write_text(json.dumps(raw, indent=2))
    assert main(["diff", str(SPEC), str(new), "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    annotation = re.compile(r"^::(error|notice) file=([^,]+),line=(\d+),title=([^:]+)::(.+)$")
    matches = [annotation.match(line) for line in lines]
    assert all(matches), lines
    error, notice = (m for m in matches if m is not None)
    assert error.group(1, 2, 3, 4) == ("error", str(new), str(line_of(new, '"enum"')), "enum-value-removed")
    assert "value 'MAX' removed" in error.group(5)
    assert notice.group(1, 4) == ("notice", "property-added")
    text = new.read_text().splitlines()
    assert '"color"' in text[int(notice.group(3)) - 1]


def test_markdown_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(SPEC), str(breaking_copy(tmp_path)), "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("# Breaking changes\n\n**1 breaking, 0 non-breaking change(s)**")
    assert "## Breaking" in out and "| `enum-value-removed`: value 'MAX' removed" in out
    assert "`create-target-groups` request body windowType" in out
    assert main(["diff", str(SPEC), str(SPEC), "--format", "markdown"]) == 0
    assert "the same contract" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("table", "code", "starts"),
    [
        ('format = "json"', 1, "{"),
        ('format = "yaml"', 2, ""),
        ('fromat = "json"', 2, ""),
    ],
)
def test_format_from_the_config_table(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    table: str,
    code: int,
    starts: str,
) -> None:
    new = breaking_copy(tmp_path)
    (tmp_path / "pyproject.toml").write_text(f"[tool.contracts.diff]\n{table}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONTRACTS_DIFF_FORMAT", raising=False)
    assert main(["diff", str(SPEC), str(new)]) == code
    captured = capsys.readouterr()
    assert captured.out.startswith(starts)
    if code == 2:
        assert captured.err.startswith("error: [tool.contracts.diff] ")
    assert main(["diff", str(SPEC), str(new), "--format", "text"]) == (1 if code == 1 else 2)


def test_new_defaults_to_the_spec_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = breaking_copy(tmp_path)
    assert main(["--spec", str(new), "diff", str(SPEC)]) == 1
    assert "WindowType/enum/1" in capsys.readouterr().out


def _repo(folder: Path) -> Path:
    """A git checkout with the real spec committed on ``main``; the working spec."""
    (folder / "spec").mkdir(parents=True)
    working = folder / "spec" / "v3.json"
    shutil.copy(SPEC, working)
    for args in (["init", "-q", "-b", "main"], ["add", "spec/v3.json"], ["commit", "-q", "-m", "spec"]):
        subprocess.run([*GIT, *args], cwd=folder, check=True, capture_output=True)
    return working


@needs_git
def test_old_as_a_git_ref(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`contracts diff main` compares `git show main:spec/v3.json` with the working spec."""
    working = _repo(tmp_path)
    assert main(["--spec", str(working), "diff", "main"]) == 0
    shutil.copy(breaking_copy(tmp_path), working)
    capsys.readouterr()
    assert main(["--spec", str(working), "diff", "main"]) == 1
    assert "BREAKING enum-value-removed" in capsys.readouterr().out
    subprocess.run([*GIT, "commit", "-qam", "break"], cwd=tmp_path, check=True, capture_output=True)
    assert main(["--spec", str(working), "diff", "main~1", "main", "--format", "github"]) == 1
    assert capsys.readouterr().out.startswith("::error file=spec/v3.json,line=")  # the path in the repo


@needs_git
@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("--output={tmp}/somefile", "'--output={tmp}/somefile' is neither a file nor a git ref"),
        ("-p", "'-p' is neither a file nor a git ref"),
        ("--upload-pack=touch {tmp}/somefile", "neither a file nor a git ref"),
        ("", "'' is neither a file nor a git ref"),
        ("no-such-branch", "'no-such-branch' is neither a file nor a git ref holding spec/v3.json"),
        ("main:spec/v3.json", "neither a file nor a git ref holding spec/v3.json"),
        ("main^{tree}", "neither a file nor a git ref holding spec/v3.json"),
        ("main\n--output=x", "neither a file nor a git ref"),
        ("{bad}", "neither a file nor a git ref"),
        ("main..main", "neither a file nor a git ref"),
    ],
)
def test_hostile_ref_exits_two_with_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ref: str, message: str
) -> None:
    working = _repo(tmp_path / "repo")
    ref, message = ref.replace("{tmp}", str(tmp_path)), message.replace("{tmp}", str(tmp_path))
    assert main(["--spec", str(working), "diff", "--", ref]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    errors = [line for line in captured.err.splitlines() if line.startswith("error: ")]
    assert errors == [errors[0]] and message in errors[0]
    assert "Traceback" not in captured.err
    assert list(tmp_path.iterdir()) == [tmp_path / "repo"]  # nothing written


def test_ref_outside_a_git_checkout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "v3.json"
    shutil.copy(SPEC, outside)
    assert main(["--spec", str(outside), "diff", "main"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0] == "error: 'main' is neither a file nor a git ref (not in a git checkout)"


def _deep(depth: int) -> str:
    return '{"openapi": "3.1.0", "paths": {}, "x": ' + "[" * depth + "]" * depth + "}"


def _spec_with(edit: Callable[[dict[str, Any]], object]) -> str:
    raw = json.loads(SPEC.read_text())
    edit(raw)
    return json.dumps(raw)


def _props(raw: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = raw["components"]["schemas"]["TargetGroup"]["properties"]
    return found


def _get(raw: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = raw["paths"]["/v3/targetGroups"]["get"]
    return found


CYCLE = {"A": {"$ref": "#/components/parameters/B"}, "B": {"$ref": "#/components/parameters/A"}}


# (name, text of the side, what the one line says)
HOSTILE_SPECS: list[tuple[str, str, str]] = [
    (
        "operation is a string",
        '{"openapi": "3.1.0", "paths": {"/x": {"get": "nope"}}}',
        "/paths/~1x/get: an operation must be an object, not a string",
    ),
    ("paths is a list", '{"openapi": "3.1.0", "paths": []}', "'paths' must be an object, not a list"),
    ("100,000 levels deep", _deep(100_000), "nested too deeply to read"),
    ("300 levels deep", _deep(300), "nested more than 256 levels deep"),
    (
        "components.schemas removed",
        _spec_with(lambda r: r["components"].pop("schemas")),
        "$ref: '#/components/schemas/",
    ),
    (
        "components.schemas a number",
        _spec_with(lambda r: r["components"].update(schemas=7)),
        "/components/schemas: components.schemas must be an object, not a number",
    ),
    (
        "a schema is a string",
        _spec_with(lambda r: _props(r).update(name="x")),
        "/components/schemas/TargetGroup/properties/name: a schema must be an object, not str",
    ),
    (
        "a type is unknown",
        _spec_with(lambda r: _props(r).update(name={"type": "text"})),
        "/components/schemas/TargetGroup/properties/name/type: 'text' is not a JSON type",
    ),
    (
        "responses is a list",
        _spec_with(lambda r: r["paths"]["/v3/targetGroups"]["post"].update(responses=[])),
        "/paths/~1v3~1targetGroups/post/responses: responses must be an object, not a list",
    ),
    (
        "a parameter without a name",
        _spec_with(lambda r: _get(r).update(parameters=[{"in": "query"}])),
        ": /paths/~1v3~1targetGroups/get/parameters: parameter 0 needs 'in' and 'name' strings",
    ),
    (
        "circular parameter refs",
        _spec_with(
            lambda r: (
                r["components"].update(parameters=CYCLE),
                _get(r).update(parameters=[{"$ref": "#/components/parameters/A"}]),
            )
        ),
        "circular reference",
    ),
    (
        "a schema $ref cycle with nothing else",
        _spec_with(
            lambda r: r["components"]["schemas"].update(
                TargetGroup={"$ref": "#/components/schemas/TargetGroup"}
            )
        ),
        "",
    ),
    (
        "an error-code entry is a string",
        _spec_with(lambda r: r["components"]["x-error-codes"].update({"310017": "x"})),
        "/components/x-error-codes/310017: an error-code entry must be an object",
    ),
    ("empty file", "", "empty file"),
    ("malformed JSON", "{\n  nope", ":2:3: malformed JSON"),
    ("not OpenAPI", '{"paths": {}}', "expected 3.x"),
]


@pytest.mark.parametrize(("name", "text", "message"), HOSTILE_SPECS, ids=[h[0] for h in HOSTILE_SPECS])
@pytest.mark.parametrize("side", ["old", "new"])
def test_hostile_spec_exits_two_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, message: str, side: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text)
    args = [str(bad), str(SPEC)] if side == "old" else [str(SPEC), str(bad)]
    code = main(["diff", *args])
    captured = capsys.readouterr()
    if name == "a schema $ref cycle with nothing else":  # a cycle is any value: judged, not refused
        assert code in (0, 1) and "Traceback" not in captured.err
        return
    assert code == 2, captured.out
    errors = captured.err.splitlines()
    assert len([e for e in errors if e.startswith("error: ")]) == 1 and errors[0].startswith("error: ")
    assert message in errors[0]
    assert "Traceback" not in captured.err and "internal error" not in captured.err


def test_non_utf8_file_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"openapi": "3.1.0", "paths": {"\xff": {}}}')
    assert main(["diff", str(bad), str(SPEC)]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_junit_format_fails_the_case_of_each_breaking_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from xml.etree import ElementTree as ET

    from contracts.diff.change import KINDS

    assert main(["diff", str(SPEC), str(breaking_copy(tmp_path)), "--format", "junit"]) == 1
    root = ET.fromstring(capsys.readouterr().out)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == set(KINDS)
    assert [n for n, c in cases.items() if c.find("failure") is not None] == ["enum-value-removed"]
    assert root.get("failures") == "1"
    assert main(["diff", str(SPEC), str(SPEC), "--format", "junit"]) == 0
    assert ET.fromstring(capsys.readouterr().out).get("failures") == "0"
