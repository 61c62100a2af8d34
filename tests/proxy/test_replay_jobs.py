"""`contracts replay --jobs`: worker processes on loopback, the same report as one process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contracts.cli import main
from contracts.mock import create_app
from contracts.proxy.replay import CHUNK, parallel_jobs
from contracts.spec import Spec

from ._upstreams import Broken, serve
from .test_replay import CREDS, _enum

PATHS = ["/v3/targetGroups/18044", "/v3/targetGroups/channels", "/v2/nothing", "/v3/targetGroups/999999"]


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTRACTS_BASIC_USER", CREDS[0])
    monkeypatch.setenv("CONTRACTS_BASIC_PASSWORD", CREDS[1])
    monkeypatch.delenv("CONTRACTS_BEARER_TOKEN", raising=False)


def _har(path: Path, count: int) -> Path:
    entries: list[dict[str, Any]] = [
        {
            "request": {"method": "GET", "url": "http://recorded" + PATHS[i % len(PATHS)], "headers": []},
            "response": {"status": 200, "headers": [], "content": {"text": "{}"}},
        }
        for i in range(count)
    ]
    entries.insert(
        5, {"request": {"method": "POST", "url": "http://recorded/v3/targetGroups"}, "response": {}}
    )
    entries.insert(9, {"response": {}})  # unreadable: no request
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    return path


def test_two_workers_report_what_one_does(
    spec: Spec, creds: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    har = _har(tmp_path / "reads.har", 3 * CHUNK + 5)
    outputs = []
    with serve(Broken(create_app(spec, credentials=CREDS), _enum)) as url:
        for jobs in ("1", "2"):
            reports = tmp_path / f"jobs{jobs}"
            code = main(["replay", str(har), "--base-url", url, "--jobs", jobs, "--report", str(reports)])
            out = capsys.readouterr().out
            report = json.loads((reports / "report.json").read_text())
            report["summary"].pop("duration_seconds")
            coverage = json.loads((reports / "coverage.json").read_text())
            outputs.append((code, out, report, coverage))
    assert outputs[0][0] == 1 and outputs[0][2]["violations"] and outputs[0][2]["infrastructure"]
    seen = outputs[0][3]["operations"]["get-target-groups-id"]
    assert seen["responses"] and any(v for values in seen["enums"].values() for v in values.values())
    # stdout, report.json and coverage.json (worked out by the workers), order included, the time aside
    assert outputs[0] == outputs[1]
    assert "enum_value_documented" in outputs[0][1] and "1 write(s) skipped" in outputs[0][1]


def test_workers_only_on_loopback_and_read_only() -> None:
    assert parallel_jobs(4, "http://127.0.0.1:8000", allow_writes=False) == 4
    assert parallel_jobs(4, "http://127.0.0.1:8000", allow_writes=True) == 1
    assert parallel_jobs(4, "https://staging.example.com", allow_writes=False) == 1
