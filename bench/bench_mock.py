"""Mock throughput and latency beside Prism's mock of the same spec, load from a second process.

Run: ``.venv/bin/python bench/bench_mock.py`` (part of ``make bench``). Load comes from wrk
(Debian's package; installed with apt-get when missing and possible) on loopback:
``wrk -t2 -c16 -d{BENCH_SECONDS}s --latency`` on GET target group 18044 and on create target group,
after a 2 s warm-up, in ``BENCH_ROUNDS`` rounds (default 3) that alternate the servers; each figure is
the median of its rounds, printed beside Prism's and the target (issue 14: GET >= 4x, create >= 3x).

Profile the mock without sockets or wrk (the app in-process under cProfile, N requests):
``.venv/bin/python bench/bench_mock.py --profile get 3000`` (or ``create``); add ``--calls`` for
function calls per request (a figure other processes on the machine do not disturb). Instruction
counts per request, the steadiest figure on a shared machine: run ``--time get 300`` and
``--time get 1300`` under ``valgrind --tool=cachegrind --cache-sim=no`` and divide the difference by 1000.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WARM_UP = 2
TARGETS = {"GET target group": 4.0, "create": 3.0}
"""Issue 14's bars: the mock's req/s over Prism's, same run."""
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
    """Start ``command`` in its own process group (npx's node child must go down with it)."""
    proc = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    if wait_for(port):
        return proc
    stop(proc)
    print(f"{name}: did not start")
    return None


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the group (the proxy then writes its reports), SIGKILL after 60 s."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


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
    command = [
        contracts,
        "mock",
        "--port",
        str(port),
        "--max-entities",
        "100000000",
        "--credentials",
        "bench:bench",
    ]
    targets.append(("contracts mock", port, command))
    npx = shutil.which("npx")
    if npx:
        prism_port = free_port()
        prism_command = [
            npx,
            "-y",
            "@stoplight/prism-cli@5.16.0",
            "mock",
            "spec/v3.json",
            "-p",
            str(prism_port),
            "-v",
            "warn",
        ]
        targets.append(("prism mock (static)", prism_port, prism_command))
    scenarios = (
        ("GET target group", "/v3/targetGroups/18044", None),
        ("create", "/v3/targetGroups", lua.name),
    )
    print(f"wrk -t2 -c16 -d{DURATION}s on loopback, {ROUNDS} rounds (median), {WARM_UP} s warm-up per cell")
    print(
        f"{'server':22} {'scenario':18} {'round':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}"
    )
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    running = []
    try:
        for name, port, command in targets:
            proc = serve(name, command, port)
            if proc is not None:
                running.append((name, port, proc))
        for round_ in range(1, ROUNDS + 1):
            order = running if round_ % 2 else list(reversed(running))  # alternate who goes first
            for name, port, _ in order:
                for scenario, path, script in scenarios:
                    url = f"http://127.0.0.1:{port}{path}"
                    wrk(exe, url, threads=2, connections=16, seconds=WARM_UP, script=script)
                    row = wrk(exe, url, threads=2, connections=16, seconds=DURATION, script=script)
                    results.setdefault((name, scenario), []).append(row)
                    print(
                        f"{name:22} {scenario:18} {round_:>5} {row['rps']:>9,.0f} {row['p50']:>8.2f} "
                        f"{row['p99']:>8.2f} {row['non2xx']:>8.0f}"
                    )
    finally:
        for _, _, proc in running:
            stop(proc)
    for scenario, _, _ in scenarios:
        ours, prism = (
            results.get(("contracts mock", scenario)),
            results.get(("prism mock (static)", scenario)),
        )
        if not ours or not prism:
            continue
        mine, theirs = median(ours), median(prism)
        ratio, bar = mine["rps"] / theirs["rps"], TARGETS[scenario]
        verdict = "meets" if ratio >= bar else "BELOW"
        print(
            f"{scenario}: contracts mock {mine['rps']:,.0f} req/s vs Prism {theirs['rps']:,.0f} req/s = "
            f"{ratio:.1f}x (target >= {bar:.0f}x: {verdict}); p99 {mine['p99']:.2f} ms vs {theirs['p99']:.2f} ms"
        )


def median(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(row[key] for row in rows) for key in rows[0]}


def profile(kind: str, count: int, *, calls: bool = False, timed: bool = False) -> None:
    """``count`` GETs of group 18044 or creates, straight into the mock's ASGI app (no sockets)."""
    import asyncio
    import cProfile
    import itertools
    import pstats

    from starlette.types import Message

    from contracts.mock import create_app
    from contracts.spec import load_spec

    app = create_app(load_spec(), credentials=("bench", "bench"), max_entities=10**9)
    names = itertools.count()
    auth = AUTH.encode()

    async def one(method: str, path: str, body: bytes) -> None:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"host", b"127.0.0.1"), (b"authorization", auth), (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())],
            "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
        }  # fmt: skip
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] != 200:
                raise RuntimeError(f"{method} {path} answered {message['status']}")

        await app(scope, receive, send)

    async def run(n: int) -> None:
        for _ in range(n):
            if kind == "get":
                await one("GET", "/v3/targetGroups/18044", b"")
            else:
                body = b'{"name":"bench-%d","totalPeriods":1,"trackingType":"DEFAULT"}' % next(names)
                await one("POST", "/v3/targetGroups", body)

    asyncio.run(run(200))  # warm
    if timed:
        start = time.process_time()
        asyncio.run(run(count))
        print(f"{kind}: {(time.process_time() - start) / count * 1e6:.0f} us CPU per request")
        return
    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(run(count))
    profiler.disable()
    stats = pstats.Stats(profiler)
    if calls:
        print(f"{kind}: {stats.total_calls // count} function calls per request")  # type: ignore[attr-defined]
        return
    stats.sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] in ("--profile", "--time"):
        profile(
            sys.argv[2],
            int(sys.argv[3]) if len(sys.argv) > 3 else 3000,
            calls="--calls" in sys.argv,
            timed=sys.argv[1] == "--time",
        )
    else:
        main()
