"""`make contract` against the embedded mock beside plain `schemathesis run` on the same mock, same run.

Run: ``.venv/bin/python bench/bench_contract.py`` (part of ``make bench``; about two minutes). Ours is
the exact command ``make -n contract`` prints (every phase, the mock's budget and workers, the
coverage gate), which starts its own embedded mock. The peer is ``schemathesis run spec/v3.json
--url <mock>`` with the project's ``schemathesis.toml`` (our checks registered by its hooks), the
same phases, ``--max-examples`` and ``--workers``, against the same mock started in a process of
its own (``contracts.runner._mock_process``). Both are timed wall-clock and in CPU seconds of the
whole process tree (the mock included). Target (issue 14): ours at most 30 s wall on 2 cores.
Profile both processes of a run with ``py-spy record --subprocesses`` (bench/README.md).
"""

from __future__ import annotations

import json
import os
import re
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = "spec/v3.json"
TARGET_SECONDS = 30.0
VENV_BIN = Path(sys.executable).parent


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ours(report: Path) -> list[str]:
    """``make contract``'s command line, as make prints it (so the bench times what make runs)."""
    env = {k: v for k, v in os.environ.items() if k not in ("BASE_URL", "MIN_COVERAGE")}
    printed = subprocess.run(
        ["make", "--no-print-directory", "-n", "contract", f"REPORT={report}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    line = next(line for line in reversed(printed.splitlines()) if " run " in line)
    return [*shlex.split(line), "--progress", "off"]


def option(command: list[str], name: str, default: str) -> str:
    return command[command.index(name) + 1] if name in command else default


def timed(command: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds of the process and its children, exit code, last output line."""
    cpu, start = children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    wall = time.perf_counter() - start
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    return wall, children_cpu() - cpu, done.returncode, lines[-1] if lines else ""


def coverage_line(report: Path) -> str:
    totals = json.loads((report / "coverage.json").read_text())["totals"]
    parts = []
    for kind in ("operations", "statuses", "error_codes", "request_enum_values"):
        t = totals[kind]
        parts.append(
            f"{kind.replace('_', ' ')} {t['observed']}/{t['documented'] - t['excused']} ({t['percent']}%)"
        )
    return ", ".join(parts)


def peer(command: list[str]) -> tuple[float, float, int, str]:
    """Plain schemathesis against a mock of its own; the mock's CPU is counted with it."""
    from contracts.mock import free_port

    port = free_port()
    from contracts.runner.auth import LOCAL_CREDENTIALS

    # The mock requires the pair the hooks send to loopback, as the embedded mock of `contracts run`
    # does: a mock accepting any pair would fail schemathesis's authentication checks (ST401).
    env = {**os.environ, "CONTRACTS_RUN_MOCK_PAIR": ":".join(LOCAL_CREDENTIALS)}
    cpu = children_cpu()
    mock = subprocess.Popen(
        [sys.executable, "-m", "contracts.runner._mock_process", SPEC, str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import socket

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        phases = "examples,coverage,fuzzing,stateful"
        args = [str(VENV_BIN / "schemathesis"), "--config-file", "schemathesis.toml", "run", SPEC]
        args += ["--url", f"http://127.0.0.1:{port}", "--phases", phases, "--checks", "all"]
        args += ["--max-examples", option(command, "--max-examples", "10")]
        args += ["--workers", option(command, "--workers", "1")]
        wall, _, code, last = timed(args)
    finally:
        mock.terminate()
        mock.wait(timeout=10)
    return wall, children_cpu() - cpu, code, last


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "reports"
        command = ours(report)
        wall, cpu, code, last = timed(command)
        if not (report / "coverage.json").exists():
            print(f"make contract wrote no report (exit {code}): {last}")
            return 1
        covered = coverage_line(report)
        responses = json.loads((report / "report.json").read_text())["summary"]["responses"]
    their_wall, their_cpu, their_code, their_last = peer(command)
    print(f"{os.cpu_count()} CPUs; ours: {shlex.join(command[command.index('run') :])}")
    print(f"{'tool':48} {'wall s':>7} {'CPU s':>7} {'exit':>5}")
    print(f"{'make contract (contracts run, embedded mock)':48} {wall:>7.1f} {cpu:>7.1f} {code:>5}")
    print(
        f"{'schemathesis run (same mock, phases, budget)':48} {their_wall:>7.1f} {their_cpu:>7.1f} {their_code:>5}"
    )
    print(f"ours: {responses} responses judged; {re.sub(r'^.*?: ', '', last)[:160]}")
    print(f"ours: coverage {covered}")
    print(f"schemathesis: {their_last[:160]}")
    verdict = "<=" if wall <= TARGET_SECONDS else ">"
    print(f"target: make contract {wall:.1f} s {verdict} {TARGET_SECONDS:g} s (2 cores, all phases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
