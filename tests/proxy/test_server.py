"""``contracts proxy`` as a process: reports and a valid HAR after SIGTERM, a readable HAR after
SIGKILL, and a canary password that appears nowhere."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.cli import main
from contracts.spec import Spec

from ._upstreams import AUTH, Broken, mock, serve
from .test_app import GROUP, _break

pytestmark = pytest.mark.slow
CANARY = "canary-pw-7Hq2"
ROOT = Path(__file__).resolve().parents[2]


class Process:
    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "contracts", "proxy", "--port", "0", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.url = self._banner()

    def _banner(self) -> str:
        found: list[str] = []

        def read() -> None:
            assert self.proc.stderr is not None
            found.append(self.proc.stderr.readline())

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout=30)
        line = found[0] if found else ""
        if "contracts proxy on " not in line:
            self.proc.kill()
            raise AssertionError(f"the proxy did not start: {line!r}")
        return line.split("contracts proxy on ", 1)[1].split(" ", 1)[0]

    def stop(self, sig: int) -> tuple[int, str, str]:
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, out, err


@pytest.fixture
def upstream(spec: Spec) -> Iterator[str]:
    with serve(Broken(mock(spec), _break)) as url:
        yield url


def test_sigterm_writes_the_reports_and_a_valid_har(upstream: str, tmp_path: Path) -> None:
    har, reports = tmp_path / "s.har", tmp_path / "reports"
    proc = Process(["--upstream", upstream, "--record", str(har), "--report", str(reports)])
    for _ in range(3):
        assert httpx.get(proc.url + GROUP, headers={**AUTH, "X-Break": "date_format"}).status_code == 200
    assert httpx.get(proc.url + GROUP, headers=AUTH).headers["contracts-violations"] == "0"
    code, _, err = proc.stop(signal.SIGTERM)
    assert code == 1, err
    assert "new response violation: get-target-groups-id date_format" in err
    report = json.loads((reports / "report.json").read_text())
    [violation] = report["violations"]
    assert violation["check"] == "date_format" and violation["extra"]["count"] == 3
    assert report["summary"]["exit_code"] == 1
    assert len(json.loads(har.read_text())["log"]["entries"]) == 4
    assert main(["validate", "--side", "both", str(har)]) == 1


def test_sigint_with_a_clean_session_exits_0(upstream: str) -> None:
    proc = Process(["--upstream", upstream])
    assert httpx.get(proc.url + GROUP, headers=AUTH).status_code == 200
    code, _, err = proc.stop(signal.SIGINT)
    assert code == 0, err
    assert "conformant" in err


def test_sigkill_leaves_a_har_that_validate_and_replay_read(upstream: str, tmp_path: Path) -> None:
    har = tmp_path / "k.har"
    proc = Process(["--upstream", upstream, "--record", str(har)])
    for _ in range(5):
        httpx.get(proc.url + GROUP, headers=AUTH)
    proc.stop(signal.SIGKILL)
    entries = json.loads(har.read_text())["log"]["entries"]
    assert len(entries) == 5
    # A kill mid-write: the last line cut in half is dropped, the rest is read.
    cut = har.read_text()[: -len("\n]}}\n") - 40]
    har.write_text(cut)
    assert main(["validate", str(har)]) == 0
    assert main(["replay", str(har), "--base-url", upstream]) == 0


def test_never_reachable_upstream_is_exit_2(tmp_path: Path) -> None:
    from contracts.mock import free_port

    proc = Process(["--upstream", f"http://127.0.0.1:{free_port()}", "--report", str(tmp_path)])
    answer = httpx.get(proc.url + GROUP, headers=AUTH)
    assert answer.status_code == 502
    code, _, err = proc.stop(signal.SIGTERM)
    assert code == 2 and "never reachable" in err
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["exit_code"] == 2


def test_a_canary_password_appears_nowhere(upstream: str, tmp_path: Path) -> None:
    har, reports = tmp_path / "c.har", tmp_path / "reports"
    env = {"CONTRACTS_BASIC_PASSWORD": CANARY}
    proc = Process(
        [
            "--upstream",
            upstream,
            "--record",
            str(har),
            "--report",
            str(reports),
            "--redact-key",
            "password",
            "--redact-key",
            "apiKey",
        ],
        env=env,
    )
    auth = {"Authorization": "Basic " + base64.b64encode(f"app:{CANARY}".encode()).decode()}
    headers: dict[str, Any] = {**auth, "Cookie": f"session={CANARY}"}
    httpx.get(proc.url + GROUP + f"?apiKey={CANARY}", headers={**headers, "X-Break": "enum_value_documented"})
    httpx.post(
        proc.url + "/v3/targetGroups",
        headers=headers,
        json={"name": CANARY, "totalPeriods": "one", "password": CANARY},
    )
    code, out, err = proc.stop(signal.SIGTERM)
    assert code == 1
    texts = [out, err, har.read_text(), *(p.read_text() for p in reports.iterdir())]
    assert len(texts) >= 6
    encoded = base64.b64encode(f"app:{CANARY}".encode()).decode()
    for text in texts:
        assert CANARY not in text and encoded not in text
    report = json.loads((reports / "report.json").read_text())
    assert {v["extra"]["side"] for v in report["violations"]} == {"request", "response"}
