"""`contracts lint`: formats, baseline, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.cli import main

SPEC = Path(__file__).resolve().parent.parent.parent / "spec" / "v3.json"


@pytest.fixture
def defective(tmp_path: Path) -> Path:
    raw = json.loads(SPEC.read_text())
    raw["components"]["schemas"]["TrackingType"]["enum"].append("Streak")
    raw["paths"]["/v3/targetGroups/channels"]["get"].pop("summary")
    file = tmp_path / "v3.json"
    file.write_text(json.dumps(raw, indent=2))
    return file


def test_real_spec_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(SPEC)]) == 0
    assert "clean (23 operations)" in capsys.readouterr().out


def test_text_output_names_file_line_rule_and_hint(
    defective: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", str(defective)]) == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "enum_upper_snake" in x)
    text = defective.read_text().splitlines()
    number = int(line.split(":")[1])
    assert '"Streak"' in text[number - 1]
    assert "(use the API's UPPER_SNAKE values)" in line


def test_json_sarif_and_github_formats(defective: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(defective), "--format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)
    assert {f["check"] for f in found} == {"enum_upper_snake", "operation_documented"}
    assert main(["lint", str(defective), "--format", "sarif"]) == 1
    sarif = json.loads(capsys.readouterr().out)
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0"
    assert {r["ruleId"] for r in run["results"]} == {"enum_upper_snake", "operation_documented"}
    assert "enum_upper_snake" in {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] > 1 for r in run["results"])
    assert main(["lint", str(defective), "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert all(x.startswith("::error file=") for x in lines)
    assert any(",title=enum_upper_snake::" in x for x in lines)


def test_baseline_accepts_known_findings_only(
    defective: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    assert main(["lint", str(defective), "--write-baseline", str(baseline)]) == 0
    assert main(["lint", str(defective), "--baseline", str(baseline)]) == 0
    raw = json.loads(defective.read_text())
    raw["components"]["schemas"]["CombinationType"]["enum"].append("any")
    defective.write_text(json.dumps(raw, indent=2))
    capsys.readouterr()
    assert main(["lint", str(defective), "--baseline", str(baseline), "--format", "json"]) == 1
    assert [f["check"] for f in json.loads(capsys.readouterr().out)] == [
        "enum_upper_snake",
        "enum_no_duplicates",
    ]
    assert main(["lint", str(SPEC), "--baseline", str(baseline), "--format", "json"]) == 0
    stale = json.loads(capsys.readouterr().out)
    assert {f["severity"] for f in stale} == {"info"}


def test_disable_rule(defective: Path) -> None:
    assert (
        main(["lint", str(defective), "--disable", "enum_upper_snake", "--disable", "operation_documented"])
        == 0
    )
    assert main(["lint", str(defective), "--disable", "enum_upper_snak"]) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such spec file"), ('{"openapi": "3.1.0",\n "paths": ', "malformed JSON")],
)
def test_unreadable_input_exits_two(
    tmp_path: Path, content: str | None, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "spec.json"
    if content is not None:
        file.write_text(content)
    assert main(["lint", str(file)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
