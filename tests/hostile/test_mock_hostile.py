"""`contracts mock` at the command line: a taken port or a bad host is one line and exit 2, before
any work; ``--port 0`` picks a free port and says which."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
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


def test_port_zero_picks_a_free_port_and_prints_it(tmp_path: Path) -> None:
    """The announced port is the one listening (the mock answers there)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTRACTS_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "contracts", "mock", "--port", "0"],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        found = re.search(r"on http://127\.0\.0\.1:(\d+) ", line)
        assert found, line
        port = int(found.group(1))
        assert port != 0
        deadline = time.monotonic() + 30
        while True:
            try:
                reply = httpx.get(
                    f"http://127.0.0.1:{port}/v3/targetGroups/channels", auth=LOCAL_CREDENTIALS, timeout=5
                )
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert reply.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stderr is not None:
            proc.stderr.close()
