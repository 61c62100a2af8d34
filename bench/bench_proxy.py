"""Validating-proxy throughput and added latency beside Prism's proxy, all in front of our mock.

Run: ``.venv/bin/python bench/bench_proxy.py`` (part of ``make bench``). wrk (Debian's package,
installed when missing, as ``bench_mock.py`` does) on loopback, GET target group 18044, in one run:
straight to the mock, through ``contracts proxy`` (every exchange judged on both sides; also with
``--record``, with ``--strict`` and with ``--verdict-cache 0`` so every answer runs the whole check
registry) and through ``prism proxy spec/v3.json <mock>``. Two loads each: ``wrk -t2 -c16
-d{BENCH_SECONDS}s`` (throughput; its p50 is mostly queueing, connections / rate) and ``wrk -t1 -c1``
(latency: the added p50 is the proxy's p50 minus the direct p50 at that load, i.e. what one
request pays for the hop). Then exactly ``BENCH_PROXY_REQUESTS`` (100,000) requests through
``contracts proxy --record`` with the proxy's resident memory read after the first tenth and at the
end (VmRSS, and VmHWM: the peak). The load average is printed before and after: the machine is
shared, and the proxy, the mock and wrk share its cores.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_mock import AUTH, DURATION, ensure_wrk, free_port, serve, stop, wrk

PATH = "/v3/targetGroups/18044"
RECORDED = int(os.environ.get("BENCH_PROXY_REQUESTS", "100000"))
PRISM = "@stoplight/prism-cli@5.16.0"
STOP_AFTER = """
local n, limit = 0, %d
response = function(status, headers, body)
  n = n + 1
  if n >= limit then wrk.thread:stop() end
end
"""
"""wrk has no request count: each thread stops itself after its share."""


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of ``pid`` in MB: resident now and at its peak."""
    found = dict.fromkeys(("VmRSS", "VmHWM"), float("nan"))
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name = line.split(":", 1)[0]
        if name in found:
            found[name] = int(line.split()[1]) / 1024
    return found["VmRSS"], found["VmHWM"]


def measure(exe: str, url: str) -> dict[str, float]:
    wrk(exe, url, threads=2, connections=16, seconds=2)  # warm-up (Prism's JIT, our first verdicts)
    busy = wrk(exe, url, threads=2, connections=16, seconds=DURATION)
    quiet = wrk(exe, url, threads=1, connections=1, seconds=max(DURATION // 2, 2))
    return {**busy, "p50_1": quiet["p50"], "p99_1": quiet["p99"]}


class Entries:
    """Counts the lines a streamed HAR grew by, reading only what was appended since last time."""

    def __init__(self, har: Path) -> None:
        self.har, self.offset, self.lines = har, 0, 0

    def count(self) -> int:
        with self.har.open("rb") as file:
            file.seek(self.offset)
            data = file.read()
        self.offset += len(data)
        self.lines += data.count(b"\n")
        return max(self.lines - 2, 0)


def drive(exe: str, url: str, entries: Entries, until: int, lua: Path) -> None:
    """wrk until the HAR holds ``until`` entries (each wrk thread also stops itself after its share)."""
    lua.write_text(STOP_AFTER % max((until - entries.count()) // 2, 1))
    args = [exe, "-t2", "-c16", "-d1800s", "-H", f"Authorization: {AUTH}", "-s", str(lua), url]
    load_gen = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while entries.count() < until - 32 and load_gen.poll() is None:
            time.sleep(0.2)
    finally:
        load_gen.send_signal(signal.SIGINT)
        load_gen.wait(timeout=30)


def memory_run(exe: str, contracts: str, upstream: str) -> None:
    """``RECORDED`` requests through ``--record``: resident memory after a tenth and at the end."""
    with tempfile.TemporaryDirectory() as tmp:
        har, lua = Path(tmp) / "bench.har", Path(tmp) / "stop.lua"
        port = free_port()
        command = [contracts, "proxy", "--upstream", upstream, "--port", str(port), "--record", str(har)]
        proc = serve("contracts proxy --record", command, port)
        if proc is None:
            return
        url = f"http://127.0.0.1:{port}{PATH}"
        entries = Entries(har)
        samples = []
        started = time.monotonic()
        try:
            for until in (RECORDED // 10, RECORDED):
                drive(exe, url, entries, until, lua)
                samples.append((entries.count(), *memory_mb(proc.pid)))
        finally:
            stop(proc)
        size = har.stat().st_size / 1e6
        (n1, rss1, _), (n2, rss2, peak) = samples
        print(
            f"--record memory: RSS {rss1:.1f} MB after {n1:,} requests, {rss2:.1f} MB after {n2:,} "
            f"(peak {peak:.1f} MB, growth {rss2 - rss1:+.1f} MB); HAR {size:.0f} MB, "
            f"{n2 / (time.monotonic() - started):,.0f} req/s"
        )


def main() -> None:
    exe = ensure_wrk()
    if exe is None:
        print("wrk is not available (install Debian's wrk); nothing measured")
        return
    contracts = str(Path(sys.executable).parent / "contracts")
    mock_port = free_port()
    mock = serve(
        "contracts mock",
        [contracts, "mock", "--port", str(mock_port), "--credentials", "bench:bench"],
        mock_port,
    )
    if mock is None:
        return
    upstream = f"http://127.0.0.1:{mock_port}"
    ours = [contracts, "proxy", "--upstream", upstream]
    proxies: list[tuple[str, list[str]]] = [
        ("contracts proxy", ours),
        ("  --record", [*ours, "--record", "{tmp}/bench.har"]),
        ("  --strict", [*ours, "--strict"]),
        ("  --verdict-cache 0", [*ours, "--verdict-cache", "0"]),
    ]
    npx = shutil.which("npx")
    if npx:
        proxies.append(("prism proxy", [npx, "-y", PRISM, "proxy", "spec/v3.json", upstream, "-v", "warn"]))
    print(f"load average {load()} (2 cores shared; proxy, mock and wrk on the same machine)")
    print(f"GET {PATH}; wrk -t2 -c16 -d{DURATION}s for req/s, p50, p99; wrk -t1 -c1 for p50@1")
    print(
        f"{'path':22} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'p50@1 ms':>9} {'+p50@1':>7} {'non-2xx':>8}"
    )
    results: dict[str, dict[str, float]] = {}

    def show(name: str, row: dict[str, float]) -> None:
        results[name] = row
        direct = results.get("direct (mock)", row)
        print(
            f"{name:22} {row['rps']:>8,.0f} {row['p50']:>7.2f} {row['p99']:>7.2f} {row['p50_1']:>9.2f} "
            f"{row['p50_1'] - direct['p50_1']:>+7.2f} {row['non2xx']:>8.0f}"
        )

    try:
        show("direct (mock)", measure(exe, upstream + PATH))
        with tempfile.TemporaryDirectory() as tmp:
            for name, command in proxies:
                port = free_port()
                flag = ["--port"] if command[0] == contracts else ["-p"]
                argv = [part.replace("{tmp}", tmp) for part in command] + [*flag, str(port)]
                proc = serve(name.strip(), argv, port)
                if proc is None:
                    continue
                try:
                    show(name, measure(exe, f"http://127.0.0.1:{port}{PATH}"))
                finally:
                    stop(proc)
        direct, prism = results["direct (mock)"], results.get("prism proxy")
        for name, row in results.items():
            if name == "direct (mock)" or name == "prism proxy":
                continue
            line = f"{name.strip()}: adds {row['p50_1'] - direct['p50_1']:.2f} ms at p50 (one connection)"
            line += f", {row['p50'] - direct['p50']:.2f} ms at p50 (16 connections)"
            if prism:
                line += f"; ours/Prism: {row['rps'] / prism['rps']:.1f}x req/s"
            print(line)
        if prism:
            print(
                f"prism proxy: adds {prism['p50_1'] - direct['p50_1']:.2f} ms at p50 (one connection), "
                f"{prism['p50'] - direct['p50']:.2f} ms (16 connections)"
            )
        memory_run(exe, contracts, upstream)
        print(f"load average {load()}")
    finally:
        stop(mock)


if __name__ == "__main__":
    main()
