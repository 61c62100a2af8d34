"""Mock throughput and latency beside Prism's mock of the same spec, load from a second process.

Run: ``.venv/bin/python bench/bench_mock.py`` (part of ``make bench``). Load comes from wrk
(Debian's package; installed with apt-get when missing and possible) on loopback:
``wrk -t2 -c16 -d{DURATION}s --latency`` on GET target group 18044 and on create target group.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
AUTH = "Basic " + base64.b64encode(b"bench:bench").decode()
CREATE_LUA = """
counter = 0
init = function(args)
  math.randomseed(os.time() + tonumber(string.match(tostring({}), "0x(%%x+)"), 16))
end
request = function()
  counter = counter + 1
  local body = '{"name":"bench-' .. math.random(1, 1000000000) .. '-' .. counter .. '","totalPeriods":1,"trackingType":"DEFAULT"}'
  return wrk.format("POST", "/v3/targetGroups", {["Content-Type"] = "application/json", ["Authorization"] = "%s"}, body)
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(port: int, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


def ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    subprocess.run(
        "apt-get update -qq && apt-get install -y -qq wrk", shell=True, capture_output=True, check=False
    )
    return shutil.which("wrk")


def wrk(
    exe: str, url: str, *, threads: int, connections: int, seconds: int, script: str | None = None
) -> dict[str, float]:
    args = [exe, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    args += ["-H", f"Authorization: {AUTH}"] + (["-s", script] if script else [])
    out = subprocess.run([*args, url], capture_output=True, text=True, check=False).stdout

    def latency(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        if not match:
            return float("nan")
        return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rps": float(rps.group(1)) if rps else float("nan"),
        "p50": latency("50"),
        "p99": latency("99"),
        "requests": float(total.group(1)) if total else 0.0,
        "non2xx": float(non2xx.group(1)) if non2xx else 0.0,
    }


def serve(name: str, command: list[str], port: int) -> subprocess.Popen[bytes] | None:
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if wait_for(port):
        return proc
    proc.kill()
    print(f"{name}: did not start")
    return None


def main() -> None:
    exe = ensure_wrk()
    if exe is None:
        print("wrk is not available (install Debian's wrk); nothing measured")
        return
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(CREATE_LUA % AUTH)
    targets = []
    port = free_port()
    contracts = str(Path(sys.executable).parent / "contracts")
    targets.append(
        (
            "contracts mock",
            port,
            [
                contracts,
                "mock",
                "--port",
                str(port),
                "--max-entities",
                "100000000",
                "--credentials",
                "bench:bench",
            ],
        )
    )
    npx = shutil.which("npx")
    if npx:
        prism_port = free_port()
        targets.append(
            (
                "prism mock (static)",
                prism_port,
                [
                    npx,
                    "-y",
                    "@stoplight/prism-cli@5.16.0",
                    "mock",
                    "spec/v3.json",
                    "-p",
                    str(prism_port),
                    "-v",
                    "warn",
                ],
            )
        )
    print(f"wrk -t2 -c16 -d{DURATION}s on loopback")
    print(f"{'server':22} {'scenario':18} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    results: dict[tuple[str, str], dict[str, float]] = {}
    for name, port, command in targets:
        proc = serve(name, command, port)
        if proc is None:
            continue
        try:
            for scenario, path, script in (
                ("GET target group", "/v3/targetGroups/18044", None),
                ("create", "/v3/targetGroups", lua.name),
            ):
                url = f"http://127.0.0.1:{port}{path}"
                row = wrk(exe, url, threads=2, connections=16, seconds=DURATION, script=script)
                results[(name, scenario)] = row
                print(
                    f"{name:22} {scenario:18} {row['rps']:>9,.0f} {row['p50']:>8.2f} {row['p99']:>8.2f} {row['non2xx']:>8.0f}"
                )
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    for scenario in ("GET target group", "create"):
        ours, prism = (
            results.get(("contracts mock", scenario)),
            results.get(("prism mock (static)", scenario)),
        )
        if ours and prism:
            print(
                f"{scenario}: {ours['rps'] / prism['rps']:.1f}x Prism's req/s, p99 {ours['p99']:.2f} ms vs {prism['p99']:.2f} ms"
            )


if __name__ == "__main__":
    main()
