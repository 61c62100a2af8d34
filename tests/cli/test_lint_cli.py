"""`contracts lint`: formats, baseline, configuration, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.cli import main
from contracts.lint import iter_findings
from contracts.spec import DEFAULT_SPEC_PATH as SPEC
from contracts.spec import Spec

PLANTED = {"/components/schemas/TrackingType/enum/5", "/paths/~1v3~1targetGroups~1channels/get/summary"}


@pytest.fixture(scope="module")
def own() -> int:
    """How many findings the real spec has itself (0 when clean: these tests hold either way)."""
    return len(list(iter_findings(Spec.from_path(SPEC))))


@pytest.fixture
def defective(tmp_path: Path) -> Path:
    """The real spec with an error (a title-case enum value) and a missing summary."""
    raw = json.loads(SPEC.read_text())
    raw["components"]["schemas"]["TrackingType"]["enum"].append("Streak")
    raw["paths"]["/v3/targetGroups/channels"]["get"].pop("summary")
    file = tmp_path / "v3.json"
    file.write_text(json.dumps(raw, indent=2))
    return file


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with its own pyproject.toml (written by the test)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path / "pyproject.toml"


def test_real_spec_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(SPEC)]) == 0
    paths = json.loads(SPEC.read_text(encoding="utf-8"))["paths"].values()
    count = sum(method in item for item in paths for method in ("get", "put", "post", "delete", "patch"))
    assert f"clean ({count} operations" in capsys.readouterr().out


def test_default_spec_is_the_real_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint"]) == 0
    assert "clean" in capsys.readouterr().out


def test_text_output_names_file_line_severity_rule_pointer_and_hint(
    defective: Path, own: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", str(defective)]) == 1
    out = capsys.readouterr().out.splitlines()
    line = next(x for x in out if "enum_upper_snake" in x)
    file, number, rest = line.split(":", 2)
    assert file == str(defective)
    assert '"Streak"' in defective.read_text().splitlines()[int(number) - 1]
    assert rest.startswith(" error enum_upper_snake /components/schemas/TrackingType/enum/5: ")
    assert line.endswith("(use the API's UPPER_SNAKE values)")
    assert out[-1].endswith(f"{2 + own} error(s), 0 other finding(s)")


def test_json_format(defective: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(defective), "--format", "json"]) == 1
    found = [f for f in json.loads(capsys.readouterr().out) if f["pointer"] in PLANTED]
    assert {f["check"] for f in found} == {"enum_upper_snake", "operation_documented"}
    assert all(f["line"] > 1 and f["extra"]["hint"] and f["file"] == str(defective) for f in found)


def test_sarif_format(defective: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(defective), "--format", "sarif"]) == 1
    run = json.loads(capsys.readouterr().out)["runs"][0]
    planted = [r for r in run["results"] if r["properties"]["pointer"] in PLANTED]
    assert {r["ruleId"] for r in planted} == {"enum_upper_snake", "operation_documented"}
    assert "example_valid" in {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] > 1 for r in run["results"])


def test_github_format(defective: Path, own: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(defective), "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 + own
    assert all(x.startswith("::error file=") and ",line=" in x for x in lines)
    assert any(",title=enum_upper_snake::" in x for x in lines)


def test_sarif_file_beside_the_gate_output(
    defective: Path,
    own: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What CI does: `CONTRACTS_LINT_SARIF=lint.sarif make lint-spec` gates and writes SARIF at once."""
    monkeypatch.setenv("CONTRACTS_LINT_SARIF", str(tmp_path / "lint.sarif"))
    monkeypatch.setenv("CONTRACTS_LINT_FORMAT", "github")
    assert main(["lint", str(defective)]) == 1
    assert capsys.readouterr().out.startswith("::error ")
    assert len(json.loads((tmp_path / "lint.sarif").read_text())["runs"][0]["results"]) == 2 + own
    assert main(["lint", str(defective), "--sarif", str(tmp_path / "no" / "dir.sarif")]) == 2


def test_uri_is_relative_to_the_working_directory(
    defective: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(defective.parent)
    assert main(["lint", str(defective), "--format", "github"]) == 1
    assert capsys.readouterr().out.startswith("::error file=v3.json,")


def test_baseline_accepts_known_findings_only(
    defective: Path, own: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    assert main(["lint", str(defective), "--write-baseline", str(baseline)]) == 0
    assert f"wrote {2 + own} accepted finding(s)" in capsys.readouterr().err
    assert main(["lint", str(defective), "--baseline", str(baseline)]) == 0
    raw = json.loads(defective.read_text())
    raw["components"]["schemas"]["CombinationType"]["enum"].append("any")
    defective.write_text(json.dumps(raw, indent=4))  # every line moves; the keys do not
    capsys.readouterr()
    assert main(["lint", str(defective), "--baseline", str(baseline), "--format", "json"]) == 1
    assert [(f["check"], f["pointer"]) for f in json.loads(capsys.readouterr().out)] == [
        ("enum_no_duplicates", "/components/schemas/CombinationType/enum/2"),
        ("enum_upper_snake", "/components/schemas/CombinationType/enum/2"),
    ]


def test_stale_baseline_entries_are_info(
    tmp_path: Path, defective: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    assert main(["lint", str(defective), "--write-baseline", str(baseline)]) == 0
    capsys.readouterr()
    assert main(["lint", str(SPEC), "--baseline", str(baseline)]) == 0  # the spec's own are accepted too
    out = capsys.readouterr().out
    assert out.count(": info ") == 2
    assert "baseline entry no longer matches a finding" in out


def test_disable_rule(defective: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["lint", str(defective), "--disable", "enum_upper_snake", "--disable", "operation_documented"])
        == 0
    )
    assert main(["lint", str(defective), "--disable", "enum_upper_snak"]) == 2
    assert "did you mean 'enum_upper_snake'?" in capsys.readouterr().err


def test_config_twin_downgrades_and_disables(
    defective: Path, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write_text(
        '[tool.contracts.lint]\nwarn = ["enum_upper_snake"]\ndisable = ["operation_documented"]\nformat = "json"\n'
    )
    assert main(["lint", str(defective)]) in (0, own and 1)  # warnings are allowed
    found = json.loads(capsys.readouterr().out)
    assert [(f["check"], f["severity"]) for f in found if f["pointer"] in PLANTED] == [
        ("enum_upper_snake", "warning")
    ]
    assert main(["lint", str(defective), "--format", "text"]) == 0  # the flag wins
    assert "warning enum_upper_snake" in capsys.readouterr().out


def test_config_baseline_and_conflicting_severities(
    defective: Path, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = project.parent / "accepted.json"
    assert main(["lint", str(defective), "--write-baseline", str(baseline)]) == 0
    project.write_text(f'[tool.contracts.lint]\nbaseline = "{baseline.name}"\n')
    assert main(["lint", str(defective)]) == 0
    project.write_text('[tool.contracts.lint]\nwarn = ["enum_upper_snake"]\ninfo = ["enum_upper_snake"]\n')
    assert main(["lint", str(defective)]) == 2
    assert "given two severities" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such spec file"),
        ('{"openapi": "3.1.0",\n "paths": ', "spec.json:2:11: malformed JSON"),
        ('{"openapi": "2.0", "paths": {}}', "expected 3.x"),
    ],
)
def test_unreadable_input_exits_two_with_one_line(
    tmp_path: Path, content: str | None, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "spec.json"
    if content is not None:
        file.write_text(content)
    assert main(["lint", str(file)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_junit_format_has_a_case_per_rule_that_ran(
    defective: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from xml.etree import ElementTree as ET

    assert main(["lint", str(defective), "--format", "junit", "--disable", "example_valid"]) == 1
    suite = ET.fromstring(capsys.readouterr().out).find("testsuite")
    assert suite is not None and suite.get("name") == "contracts lint"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert "example_valid" not in cases  # disabled: not a passed test
    failure = cases["enum_upper_snake"].find("failure")
    assert failure is not None and "/components/schemas/TrackingType/enum/5" in (failure.text or "")
    assert cases["openapi_valid"].find("failure") is None and cases["openapi_valid"].find("skipped") is None


def test_markdown_format_is_a_table_with_file_lines(
    defective: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", str(defective), "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("# contracts lint\n\n**")
    row = next(line for line in out.splitlines() if "`enum_upper_snake`" in line)
    number = int(row.split(f"{defective}:", 1)[1].split(")", 1)[0])
    assert '"Streak"' in defective.read_text().splitlines()[number - 1]
    assert main(["lint", str(SPEC), "--format", "markdown"]) == 0
    assert "**clean**" in capsys.readouterr().out
