"""`contracts validate`: exit 0 valid, 1 violations, 2 bad input with one line."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from contracts.cli import main

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"
GOOD = PAYLOADS / "update-target-group__response__200__1.json"


def test_valid_body_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--operation", "update-target-group", "--status", "200", str(GOOD)]) == 0
    assert "conform" in capsys.readouterr().out


def test_undeclared_property_is_shown_but_not_a_violation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """undocumented_property is a warning: reported with its pointer, exit 0 (an additive change)."""
    body = json.loads(GOOD.read_text())
    body["data"]["colour"] = "red"
    file = tmp_path / "additive.json"
    file.write_text(json.dumps(body))
    assert main(["validate", "-o", "update-target-group", "-s", "200", str(file)]) == 0
    assert "undocumented_property /data/colour" in capsys.readouterr().out


def test_doc_slug_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    body = PAYLOADS / "create-streak__response__200__1.json"
    assert main(["validate", "-o", "create-streak", "-s", "200", str(body)]) == 0


def test_violations_exit_one_and_name_the_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = json.loads(GOOD.read_text())
    body["data"]["trackingType"] = "Streaks"
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(body))
    assert main(["validate", "-o", "update-target-group", "-s", "200", str(file)]) == 1
    out = capsys.readouterr().out
    assert "enum_value_documented /data/trackingType" in out
    assert main(["validate", "-o", "update-target-group", "-s", "200", "--format", "json", str(file)]) == 1
    [finding] = json.loads(capsys.readouterr().out)
    assert finding["check"] == "enum_value_documented"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "update-target-groups", "-s", "200", "GOOD"], "did you mean 'update-target-group'?"),
        (["-o", "update-target-group", "-s", "200", "/nonexistent.json"], "no such file"),
        (["-o", "update-target-group", "-s", "99", "GOOD"], "99"),
        (["GOOD"], "needs --operation and --status"),
        (
            ["--checks", "enum_value_documentd", "-o", "update-target-group", "-s", "200", "GOOD"],
            "did you mean 'enum_value_documented'?",
        ),
        (["-o", "update-target-group", "-s", "200", "/"], "is a directory"),
    ],
)
def test_bad_input_exits_two(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["validate", *[str(GOOD) if a == "GOOD" else a for a in args]]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_malformed_json_names_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "x.json"
    file.write_text('{"data":\n  ,}')
    assert main(["validate", "-o", "get-targets", "-s", "200", str(file)]) == 2
    assert f"{file}:2:3: malformed JSON" in capsys.readouterr().err


def _har(*entries: dict[str, Any]) -> str:
    return json.dumps({"log": {"version": "1.2", "entries": list(entries)}})


def _entry(url: str, body: Any, status: int = 200) -> dict[str, Any]:
    return {
        "request": {
            "method": "GET",
            "url": url,
            "headers": [{"name": "Authorization", "value": "Basic c2VjcmV0"}],
        },
        "response": {
            "status": status,
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "content": {"mimeType": "application/json", "text": json.dumps(body)},
        },
    }


CHANNELS = json.loads((PAYLOADS / "get-target-channels__response__200__1.json").read_text())


def test_har_file_needs_no_operation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "c.har"
    file.write_text(_har(_entry("https://h/v3/targetGroups/channels", CHANNELS)))
    assert main(["validate", str(file)]) == 0
    assert "1 response(s) conform" in capsys.readouterr().out
    bad = copy.deepcopy(CHANNELS)
    bad["data"][0]["id"] = "1"
    file.write_text(_har(_entry("https://h/v2/other", {}), _entry("https://h/v3/targetGroups/channels", bad)))
    assert main(["validate", str(file)]) == 1
    captured = capsys.readouterr()
    assert f"{file}#1: get-target-channels 200 response_schema_conformance /data/0/id:" in captured.out
    assert f"{file}: warning: HAR entry 0 GET https://h/v2/other matches no operation" in captured.err
    assert "c2VjcmV0" not in captured.out + captured.err


def test_har_warnings_stay_off_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "c.har"
    file.write_text(
        _har(_entry("https://h/v2/other", {}), _entry("https://h/v3/targetGroups/channels", CHANNELS))
    )
    assert main(["validate", "--format", "json", "-o", "get-targets", str(file)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == []
    assert "matches no operation" in captured.err
    assert "--operation/--status ignored" in captured.err


def test_har_with_nothing_to_judge_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "c.har"
    file.write_text(
        _har(_entry("https://h/v2/other", {}), _entry("https://h/v3/targetGroups/channels", {}, 0))
    )
    assert main(["validate", str(file)]) == 2
    err = capsys.readouterr().err
    assert "nothing was validated" in err
    assert "got no response (status 0)" in err


def test_json_output_is_a_stable_list_of_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = json.loads(GOOD.read_text())
    body["data"]["periods"][0]["periodStatus"] = "Ended"
    body["data"]["fromDate"] = "2024/02/19"
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(body))
    argv = ["validate", "-o", "update-target-group", "-s", "200", "--format", "json", str(file)]
    assert main(argv) == 1
    first = capsys.readouterr().out
    assert main(argv) == 1
    assert capsys.readouterr().out == first
    rows = json.loads(first)
    assert [(r["check"], r["pointer"]) for r in rows] == [
        ("enum_value_documented", "/data/periods/0/periodStatus"),
        ("date_format", "/data/fromDate"),
    ]
    assert set(rows[0]) >= {
        "file",
        "check",
        "operation",
        "status",
        "pointer",
        "spec_pointer",
        "expected",
        "actual",
        "message",
    }
