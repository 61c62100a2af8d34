"""`contracts mock` at the command line: a taken port or a bad host is one line and exit 2, before
any work; ``--port 0`` picks a free port and says which."""

from __future__ import annotations

import os
import re
import select
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from contracts.runner.auth import LOCAL_CREDENTIALS

from ._support import assert_refused, run_cli


def test_a_taken_port_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        outcome = run_cli(["mock", "--port", str(port)], capsys)
    assert_refused(outcome, f"cannot serve on 127.0.0.1:{port} (Address already in use)")
    assert "--port 0" in outcome.err


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("x" * 300, "not a host name or address"),  # refused before any lookup leaves the machine
        ("a\x00b", "not a host name or address"),
        ("", "must not be empty"),
        ("  ", "must not be empty"),
    ],
)
def test_a_bad_host_is_one_line(
    host: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    outcome = run_cli(["mock", "--host", host, "--port", "0"], capsys)
    assert_refused(outcome, message)
    assert "\x00" not in outcome.err


def test_a_non_local_address_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """192.0.2.1 (TEST-NET-1) is no address of this machine: refused at bind, no traffic sent."""
    monkeypatch.chdir(tmp_path)
    outcome = run_cli(["mock", "--host", "192.0.2.1", "--port", "0"], capsys)
    assert_refused(outcome, "cannot serve on 192.0.2.1:0 (Cannot assign requested address)")


def test_port_zero_picks_a_free_port_and_prints_it(tmp_path: Path) -> None:
    """stdout holds the URL alone (scripts read it); the mock answers there, with the config file's
    ``max-body`` and the flag's no-access pair in force."""
    (tmp_path / "pyproject.toml").write_text("[tool.contracts.mock]\nmax-body = 64\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTRACTS_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "contracts", "mock", "--port", "0", "--no-access-credentials", "ro:pw-ro"],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        url = proc.stdout.readline().strip() if ready else ""
        found = re.fullmatch(r"http://127\.0\.0\.1:(\d+)", url)
        assert found, url
        assert int(found.group(1)) != 0
        assert f"on {url} " in proc.stderr.readline()
        with httpx.Client(base_url=url, auth=LOCAL_CREDENTIALS, timeout=10) as client:
            assert client.get("/v3/targetGroups/channels").status_code == 200
            assert client.get("/v3/targetGroups/channels", auth=("ro", "pw-ro")).status_code == 403
            small = client.post("/v3/targetGroups/isValidName", json={"name": "n", "type": "x"})
            assert "limit of 64 bytes" not in small.text
            big = client.post("/v3/targetGroups/isValidName", json={"name": "n" * 64})
            assert big.status_code == 400 and "limit of 64 bytes" in big.text, big.text
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
