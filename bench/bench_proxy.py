"""Validating-proxy throughput and added latency beside Prism's proxy, both in front of our mock.

Run: ``.venv/bin/python bench/bench_proxy.py`` (part of ``make bench``). wrk (Debian's package,
installed when missing, as ``bench_mock.py`` does) on loopback, ``wrk -t2 -c16 -d{BENCH_SECONDS}s``,
GET target group 18044: straight to the mock, through ``contracts proxy`` (every exchange judged on
both sides) and through ``prism proxy spec/v3.json <mock>``. The added p50 is the proxy's p50 minus
the direct p50 of the same run. Then 100,000 requests through ``contracts proxy --record`` with
the proxy's resident memory sampled after the first 10,000 and at the end
(``BENCH_PROXY_REQUESTS`` sets another count).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_mock import AUTH, ensure_wrk, free_port, serve, wrk

PATH = "/v3/targetGroups/18044"
RECORDED = int(os.environ.get("BENCH_PROXY_REQUESTS", "100000"))
"""Requests aimed at in the memory run through ``--record`` (RSS sampled after a tenth and at the end);
wrk runs for as long as that takes at the rate measured just before, at most 22 minutes."""
PRISM = "@stoplight/prism-cli@5.16.0"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def recorded(har: Path) -> int:
    """Entries in the streamed HAR: one per line between its first and last lines."""
    with har.open("rb") as file:
        return max(sum(1 for _ in file) - 2, 0)


def drive(exe: str, url: str, seconds: int) -> None:
    args = [exe, "-t2", "-c16", f"-d{max(seconds, 1)}s", "-H", f"Authorization: {AUTH}", url]
    subprocess.run(args, capture_output=True, check=False)


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
    proxies = []
    port = free_port()
    proxies.append(
        ("contracts proxy", port, [contracts, "proxy", "--upstream", upstream, "--port", str(port)])
    )
    npx = shutil.which("npx")
    if npx:
        prism_port = free_port()
        prism_cmd = [npx, "-y", PRISM, "proxy", "spec/v3.json", upstream, "-p", str(prism_port), "-v", "warn"]
        proxies.append(("prism proxy", prism_port, prism_cmd))
    results: dict[str, dict[str, float]] = {}
    print(f"wrk -t2 -c16 on loopback, GET {PATH}, every proxy in front of the same contracts mock")
    print(f"{'path':18} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")

    def show(name: str, row: dict[str, float]) -> None:
        results[name] = row
        print(f"{name:18} {row['rps']:>9,.0f} {row['p50']:>8.2f} {row['p99']:>8.2f} {row['non2xx']:>8.0f}")

    try:
        show("direct (mock)", wrk(exe, upstream + PATH, None))
        for name, port, command in proxies:
            proc = serve(name, command, port)
            if proc is None:
                continue
            try:
                show(name, wrk(exe, f"http://127.0.0.1:{port}{PATH}", None))
            finally:
                proc.terminate()
                proc.wait(timeout=30)
        direct, ours, prism = (
            results.get("direct (mock)"),
            results.get("contracts proxy"),
            results.get("prism proxy"),
        )
        if direct and ours:
            print(f"contracts proxy adds {ours['p50'] - direct['p50']:.2f} ms at p50 over going direct")
        if direct and prism:
            print(f"prism proxy adds {prism['p50'] - direct['p50']:.2f} ms at p50 over going direct")
        if ours and prism:
            print(f"contracts proxy: {ours['rps'] / prism['rps']:.1f}x Prism's proxy req/s")
        with tempfile.TemporaryDirectory() as tmp:
            har = Path(tmp) / "bench.har"
            port = free_port()
            command = [contracts, "proxy", "--upstream", upstream, "--port", str(port), "--record", str(har)]
            proc = serve("contracts proxy --record", command, port)
            rate = ours["rps"] if ours and ours["rps"] > 0 else 1000.0
            if proc is not None:
                try:
                    url = f"http://127.0.0.1:{port}{PATH}"
                    # wrk cannot stop after a number of requests: run long enough at the measured rate.
                    drive(exe, url, min(int(RECORDED / 10 / rate) + 1, 120))
                    early, early_n = rss_mb(proc.pid), recorded(har)
                    drive(exe, url, min(int(RECORDED * 0.9 / rate) + 1, 1200))
                    late, late_n = rss_mb(proc.pid), recorded(har)
                finally:
                    proc.terminate()
                    proc.wait(timeout=60)
                size = har.stat().st_size / 1e6
                print(
                    f"--record: RSS {early:.1f} MB after {early_n:,} requests, {late:.1f} MB after {late_n:,}; "
                    f"HAR {size:.0f} MB"
                )
    finally:
        mock.terminate()
        mock.wait(timeout=10)


if __name__ == "__main__":
    main()
