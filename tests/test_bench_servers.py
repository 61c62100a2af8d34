"""The benches' servers go down with every process they started (npx leaves Prism's node child behind)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from bench_mock import free_port, serve, stop

SERVER = """
import socket, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
open(sys.argv[2], "w").write(str(child.pid))
sock = socket.socket(); sock.bind(("127.0.0.1", int(sys.argv[1]))); sock.listen()
time.sleep(600)
"""


def test_stop_ends_the_server_and_its_children(tmp_path: Path) -> None:
    port, pid_file = free_port(), tmp_path / "child.pid"
    proc = serve("a server with a child", [sys.executable, "-c", SERVER, str(port), str(pid_file)], port)
    assert proc is not None
    child = int(pid_file.read_text())
    stop(proc)
    assert proc.returncode is not None
    deadline = time.monotonic() + 30  # the child has its SIGTERM; it may not have acted on it yet
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
