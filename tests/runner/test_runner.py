"""`contracts run` against the mock, broken variants of it, a closed port; etiquette and secrets."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _servers import Broken, Recording, mock

from contracts.cli import main
from contracts.mock import free_port, serve_in_thread

pytestmark = pytest.mark.slow
FAST = ["--max-examples", "3", "--phases", "examples,fuzzing", "--seed", "7"]


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("CONTRACTS_BASIC_USER", "runner")
    monkeypatch.setenv("CONTRACTS_BASIC_PASSWORD", "pw")
    return ("runner", "pw")


def test_embedded_mock_is_conformant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", *FAST, "--allow-writes", "--report", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "conformant: 0 violation(s)" in out
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"]["operations_tested"] == 23
    assert report["summary"]["cleaned_up"], "what the run created is deleted"
    assert (tmp_path / "junit.xml").read_text().count("<testcase") >= 23
    coverage = json.loads((tmp_path / "coverage.json").read_text())
    assert coverage["operations"]["get-target-groups-id"]["statuses"]["200"] is True
    assert "## Coverage" in (tmp_path / "summary.md").read_text()


def _groups(
    path: str, status: int, headers: dict[str, str], body: Any, change: Callable[[dict[str, Any]], None]
) -> tuple[int, dict[str, str], Any]:
    if path == "/v3/targetGroups" and status == 200 and isinstance(body, dict) and body.get("data"):
        change(body["data"][0])
    return status, headers, body


def _channels(
    path: str, status: int, headers: dict[str, str], body: Any, change: Callable[..., Any]
) -> tuple[int, dict[str, str], Any]:
    if path == "/v3/targetGroups/channels" and status == 200:
        changed: tuple[int, dict[str, str], Any] = change(status, headers, body)
        return changed
    return status, headers, body


def _not_found(
    path: str, status: int, headers: dict[str, str], body: Any, code: int
) -> tuple[int, dict[str, str], Any]:
    if status == 404 and isinstance(body, dict) and body.get("errors"):
        body["errors"][0]["code"] = code
    return status, headers, body


BREAKS: dict[str, Callable[[str, int, dict[str, str], Any], tuple[int, dict[str, str], Any]]] = {
    "status_code_documented": lambda p, s, h, b: _channels(p, s, h, b, lambda s, h, b: (202, h, b)),
    "content_type_documented": lambda p, s, h, b: _channels(
        p, s, h, b, lambda s, h, b: (s, {**h, "content-type": "text/plain"}, b)
    ),
    "response_schema_conformance": lambda p, s, h, b: _channels(
        p, s, h, b, lambda s, h, b: (s, h, {**b, "data": [{"id": "1", "name": "SMS"}]})
    ),
    "envelope_shape": lambda p, s, h, b: _channels(p, s, h, b, lambda s, h, b: (s, h, b["data"])),
    "data_iff_success": lambda p, s, h, b: _channels(p, s, h, b, lambda s, h, b: (s, h, {**b, "data": None})),
    "warnings_shape": lambda p, s, h, b: _channels(
        p, s, h, b, lambda s, h, b: (s, h, {**b, "warnings": "none"})
    ),
    "errors_array_shape": lambda p, s, h, b: (
        (s, h, {**b, "errors": [{"code": "310017", "message": "x"}]}) if s == 404 else (s, h, b)
    ),
    "enum_value_documented": lambda p, s, h, b: _groups(
        p, s, h, b, lambda g: g.update(trackingType="Streaks")
    ),
    "date_format": lambda p, s, h, b: _groups(p, s, h, b, lambda g: g.update(fromDate="19/02/2024")),
    "timestamp_format": lambda p, s, h, b: _groups(
        p, s, h, b, lambda g: g.setdefault("attribution", {}).update(createdOn="2024-04-01T16:04:29Z")
    ),
    "error_code_documented": lambda p, s, h, b: _not_found(p, s, h, b, 999999),
    "error_code_matches_status": lambda p, s, h, b: _not_found(p, s, h, b, 300004),
}


@pytest.mark.parametrize("check", list(BREAKS))
def test_broken_mock_fails_naming_the_check(
    check: str, creds: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    with serve_in_thread(Broken(mock(creds), BREAKS[check])) as url:
        assert main(["run", "--base-url", url, *FAST, "--checks", check]) == 1
    out = capsys.readouterr().out
    assert f" {check} " in out
    assert "curl -X GET" in out


def test_closed_port_is_exit_two(creds: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--base-url", f"http://127.0.0.1:{free_port()}", *FAST]) == 2
    assert "cannot reach" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["htp://x", "http://localhost:abc", "localhost"])
def test_bad_url_is_exit_two(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--base-url", url]) == 2
    assert "bad --base-url" in capsys.readouterr().err


def test_no_write_leaves_without_allow_writes(creds: tuple[str, str]) -> None:
    recording = Recording(mock(creds))
    with serve_in_thread(recording) as url:
        assert main(["run", "--base-url", url, "--max-examples", "3"]) == 0
    methods = {method for method, _ in recording.seen}
    assert methods, "requests were sent"
    assert methods <= {"GET", "HEAD", "OPTIONS"}, methods


def test_canary_credentials_appear_nowhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    user, password = "canary-user", "canary-s3cr3t-XYZ"
    monkeypatch.setenv("CONTRACTS_BASIC_USER", user)
    monkeypatch.setenv("CONTRACTS_BASIC_PASSWORD", password)
    broken = Broken(mock((user, password)), BREAKS["data_iff_success"])
    with serve_in_thread(broken) as url:
        assert main(["run", "--base-url", url, *FAST, "--report", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
    outputs = [captured.out, captured.err, *(p.read_text() for p in tmp_path.iterdir())]
    assert any("data_iff_success" in o for o in outputs)
    violations = json.loads((tmp_path / "report.json").read_text())["violations"]
    finding = next(v for v in violations if v["check"] == "data_iff_success")
    assert finding["operation"] == "get-target-channels"
    assert finding["pointer"] == "/data"
    assert finding["spec_pointer"] == "/components/schemas/Envelope"
    assert finding["extra"]["curl"].startswith("curl -X GET")
    for text in outputs:
        assert password not in text
        assert encoded not in text
