"""Whole-process lint time of spec/v3.json: ours beside Spectral (spectral:oas) and Redocly.

Run: ``.venv/bin/python bench/bench_lint.py`` (part of ``make bench``). The peers run through
``npx`` when node is available; each tool's first run (download, warm-up) is not timed.
"""

from __future__ import annotations

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
RUNS = 5


def timed(command: list[str], env: dict[str, str] | None = None) -> float | None:
    """Median wall time of ``command`` over RUNS runs after one untimed warm-up; None if it cannot run."""
    try:
        subprocess.run(command, cwd=ROOT, capture_output=True, env=env, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, capture_output=True, env=env, timeout=300, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    contracts = str(Path(sys.executable).parent / "contracts")
    rows: list[tuple[str, float | None]] = [("contracts lint", timed([contracts, "lint", SPEC]))]
    npx = shutil.which("npx")
    if npx:
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as ruleset:
            ruleset.write('extends: ["spectral:oas"]\n')
        rows.append(
            (
                "spectral lint (spectral:oas)",
                timed([npx, "-y", "@stoplight/spectral-cli@6.16.3", "lint", SPEC, "--ruleset", ruleset.name]),
            )
        )
        env = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
        rows.append(("redocly lint", timed([npx, "-y", "@redocly/cli@2.77.0", "lint", SPEC], env=env)))
    ours = rows[0][1]
    print(f"{'tool':32} {'median s':>9} {'vs ours':>8}")
    for name, seconds in rows:
        if seconds is None:
            print(f"{name:32} {'n/a':>9}")
        else:
            ratio = f"{seconds / ours:.1f}x" if ours else "-"
            print(f"{name:32} {seconds:>9.3f} {ratio:>8}")


if __name__ == "__main__":
    main()
