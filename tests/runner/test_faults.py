"""A server that fails mid-run (or from the first request) is exit 2, never a pass and never a violation.

Each fault server (tests/runner/_servers.py ``Faulty``) answers ``good`` requests through the real
mock and then resets connections, truncates bodies, hangs or answers 503/429 with Retry-After for
ever. Every run must end in bounded time with exit 2, name the infrastructure failure, report no
violation and list the selected operations that got no judged response.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from _servers import Faulty, mock

from contracts.cli import main
from contracts.mock import serve_in_thread

pytestmark = pytest.mark.slow
FAST = ["--max-examples", "3", "--phases", "fuzzing", "--seed", "7", "--timeout", "1", "--progress", "off"]
BUDGET = 30.0
"""--max-duration of these runs: a permanent 503 is waited on this long at most."""
NAMED = {
    "reset": ("ConnectionResetError", "Connection reset by peer", "refused or reset connection"),
    "truncate": ("IncompleteRead", "without sending complete message body"),
    "hang": ("Timeout",),
    "503": ("503",),
    "429": ("429",),
}
"""What the reason must name for each fault (requests and httpx word them differently)."""


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("CONTRACTS_BASIC_USER", "runner")
    monkeypatch.setenv("CONTRACTS_BASIC_PASSWORD", "pw-runner")
    monkeypatch.delenv("CONTRACTS_BEARER_TOKEN", raising=False)
    return ("runner", "pw-runner")


def _run(fault: str, good: int, creds: tuple[str, str], report: Path) -> tuple[int, float, Faulty]:
    with serve_in_thread(mock(creds)) as upstream, Faulty(upstream, fault, good) as faulty:
        started = time.monotonic()
        code = main(
            ["run", "--base-url", faulty.url, *FAST, "--max-duration", str(BUDGET), "--report", str(report)]
        )
        elapsed = time.monotonic() - started
    return code, elapsed, faulty


def _assert_could_not_judge(fault: str, report: Path, out: str, err: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((report / "report.json").read_text())
    summary: dict[str, Any] = data["summary"]
    assert summary["verdict"] == "could not judge"
    assert data["violations"] == [], "a fault is never a violation"
    assert any(name in summary["reason"] for name in NAMED[fault]), summary["reason"]
    assert f"error: could not judge: {summary['reason']}" in err
    unjudged = summary["operations_unjudged"]
    planned = data["run"]["operations_planned"]
    assert unjudged, "the operations the fault kept from being judged are listed"
    assert set(unjudged) == set(planned) - set(summary["operations"])
    for op in unjudged:
        assert op in out, f"{op} is named on the console"
    assert 'data-verdict="could not judge"' in (report / "report.html").read_text()
    cases = ET.parse(report / "junit.xml").getroot().iter("testcase")
    for case in cases:
        if case.get("classname") in unjudged:
            assert case.find("skipped") is not None and case.find("failure") is None
    return summary


@pytest.mark.parametrize("fault", ["reset", "truncate", "hang", "503"])
def test_fault_after_twenty_good_answers_is_exit_two(
    fault: str, creds: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, elapsed, faulty = _run(fault, 20, creds, tmp_path)
    out, err = capsys.readouterr()
    assert code == 2, out
    assert elapsed < BUDGET + 10, f"took {elapsed:.1f} s"
    assert faulty.answered == 20 and faulty.faulted, out + err
    summary = _assert_could_not_judge(fault, tmp_path, out, err)
    assert summary["operations"], "some operations were judged before the fault"
    assert summary["requests_lost"] >= 1 or "stopped answering" in summary["reason"]


@pytest.mark.parametrize("fault", ["reset", "truncate", "hang", "503", "429"])
def test_fault_from_the_first_request_is_exit_two(
    fault: str, creds: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, elapsed, _ = _run(fault, 0, creds, tmp_path)
    out, err = capsys.readouterr()
    assert code == 2, out
    assert elapsed < BUDGET + 5, f"took {elapsed:.1f} s"
    summary = _assert_could_not_judge(fault, tmp_path, out, err)
    assert summary["operations"] == []
    assert summary["responses"] == 0


def test_permanent_503_honours_retry_after_within_the_budget(
    creds: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, elapsed, faulty = _run("503", 20, creds, tmp_path)
    assert code == 2
    gaps = [b - a for a, b in zip(faulty.faulted, faulty.faulted[1:], strict=False)]
    waited = [g for g in gaps if g >= 0.95]
    assert len(waited) >= len(gaps) / 2, f"Retry-After: 1 was not honoured: {gaps}"
    assert len(faulty.faulted) <= BUDGET + 2, "no more than one request per Retry-After second"
    assert elapsed < BUDGET + 10, "the budget bounds the waiting"
    data = json.loads((tmp_path / "report.json").read_text())
    kinds = {i["kind"] for i in data["infrastructure"]}
    assert {"retry", "gave-up"} <= kinds
    assert any("retried after 1.0s" in i["message"] for i in data["infrastructure"])
    assert "time budget" in data["summary"]["reason"] or "in a row" in data["summary"]["reason"]
