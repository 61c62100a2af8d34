"""`contracts validate`: exit 0 valid, 1 violations, 2 bad input with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.cli import main

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"
GOOD = PAYLOADS / "update-target-group__response__200__1.json"


def test_valid_body_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--operation", "update-target-group", "--status", "200", str(GOOD)]) == 0
    assert "conform" in capsys.readouterr().out


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
        (["--checks", "no_such_check", "-o", "update-target-group", "-s", "200", "GOOD"], "unknown check"),
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


def test_har_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = json.loads((PAYLOADS / "get-target-channels__response__200__1.json").read_text())
    entry = {
        "request": {"method": "GET", "url": "https://h/v3/targetGroups/channels"},
        "response": {
            "status": 200,
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "content": {"text": json.dumps(body)},
        },
    }
    file = tmp_path / "c.har"
    file.write_text(json.dumps({"log": {"entries": [entry]}}))
    assert main(["validate", str(file)]) == 0
    body["data"][0]["id"] = "1"
    entry["response"]["content"] = {"text": json.dumps(body)}  # type: ignore[index]
    file.write_text(json.dumps({"log": {"entries": [entry]}}))
    assert main(["validate", str(file)]) == 1
