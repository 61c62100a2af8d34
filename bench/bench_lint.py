"""Whole-process lint time of spec/v3.json: ours beside Spectral (spectral:oas) and Redocly, same run.

Run: ``.venv/bin/python bench/bench_lint.py`` (part of ``make bench``). Timed with hyperfine
(Debian's package) when it is installed, else as the median of repeated subprocess runs. The peers
run through ``npx`` when node is available; their first run (download, warm-up) is not timed.
Targets (issue 14): ours at most 0.15 s, and at least 10x faster than Spectral. Profile the start
path with ``.venv/bin/python -X importtime -m contracts lint spec/v3.json 2>&1 | sort -t'|' -k2 -n``
and the work with cProfile (bench/README.md).

Ours is timed as a user has it after ``make install``: the package byte-compiled (the bench runs the
same ``compileall`` first, so sources edited since the install do not count their compilation to the
lint). With ``PYTHONDONTWRITEBYTECODE`` set, an editable package is otherwise compiled again by
every process; the .pyc files are still read.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = "spec/v3.json"
RUNS = 10
TARGET_SECONDS = 0.15
TARGET_VS_SPECTRAL = 10.0
PEER_ENV = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_UPDATE_NOTIFIER": "1"}

Command = tuple[str, list[str]]


def commands(ruleset: str) -> list[Command]:
    ours: Command = ("contracts lint", [str(Path(sys.executable).parent / "contracts"), "lint", SPEC])
    npx = shutil.which("npx")
    if npx is None:
        return [ours]
    return [
        ours,
        (
            "spectral lint (spectral:oas)",
            [npx, "-y", "@stoplight/spectral-cli@6.16.3", "lint", SPEC, "--ruleset", ruleset],
        ),
        ("redocly lint", [npx, "-y", "@redocly/cli@2.77.0", "lint", SPEC]),
    ]


def runnable(command: list[str]) -> bool:
    """One untimed run (downloads the peer); False when it cannot run at all."""
    try:
        subprocess.run(command, cwd=ROOT, capture_output=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return True


def with_hyperfine(hyperfine: str, chosen: list[Command]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "times.json"
        args = [hyperfine, "-N", "--warmup", "2", "--runs", str(RUNS), "-i", "--export-json", str(export)]
        for name, command in chosen:
            args += ["-n", name, " ".join(command)]
        subprocess.run(args, cwd=ROOT, capture_output=True, check=True, timeout=1200)
        results = json.loads(export.read_text())["results"]
    return {r["command"]: float(r["median"]) for r in results}


def with_subprocess(chosen: list[Command]) -> dict[str, float]:
    medians: dict[str, float] = {}
    for name, command in chosen:
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, capture_output=True, timeout=300, check=False)
            times.append(time.perf_counter() - start)
        medians[name] = statistics.median(times)
    return medians


def byte_compile() -> None:
    """What ``make install`` does last (the Makefile's ``COMPILE``): .pyc files for the package."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "contracts", "generated"],
        cwd=ROOT,
        check=True,
        timeout=300,
    )


def main() -> int:
    os.environ.update(PEER_ENV)
    byte_compile()
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as ruleset:
        ruleset.write('extends: ["spectral:oas"]\n')
    ours = commands(ruleset.name)[0]
    status = subprocess.run(ours[1], cwd=ROOT, capture_output=True, check=False).returncode
    if status == 2:
        print(f"{' '.join(ours[1])} cannot read the spec (exit 2); nothing to time")
        return 1
    if status == 1:
        print("note: the spec has lint findings (exit 1); timed as it is, the line index included")
    chosen = [c for c in commands(ruleset.name) if c is ours or runnable(c[1])]
    hyperfine = shutil.which("hyperfine")
    medians = with_hyperfine(hyperfine, chosen) if hyperfine else with_subprocess(chosen)
    os.unlink(ruleset.name)
    mine = medians[ours[0]]
    print(
        f"timer: {'hyperfine' if hyperfine else 'subprocess'}, median of {RUNS} runs, {os.cpu_count()} CPUs"
    )
    print(f"{'tool':32} {'median s':>9} {'vs ours':>8}")
    for name, _ in chosen:
        print(f"{name:32} {medians[name]:>9.3f} {medians[name] / mine:>7.1f}x")
    spectral = medians.get("spectral lint (spectral:oas)")
    verdicts = [f"ours {mine:.3f} s {'<=' if mine <= TARGET_SECONDS else '>'} {TARGET_SECONDS} s"]
    if spectral is not None:
        ratio = spectral / mine
        verdicts.append(
            f"{ratio:.1f}x Spectral {'>=' if ratio >= TARGET_VS_SPECTRAL else '<'} {TARGET_VS_SPECTRAL}x"
        )
    print("targets: " + "; ".join(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
