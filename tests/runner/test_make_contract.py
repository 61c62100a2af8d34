"""`make contract`: against the embedded mock it is gated on coverage by default; against BASE_URL only on request."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _make(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BASE_URL", "MIN_COVERAGE", "MOCK_MIN_COVERAGE")}
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def _bars() -> str:
    """The mock's bars, read from where they are written once (the Makefile)."""
    found = re.search(r"^MOCK_MIN_COVERAGE \?= (\S+)$", (REPO / "Makefile").read_text(), re.MULTILINE)
    assert found, "MOCK_MIN_COVERAGE is not set in the Makefile"
    return found.group(1)


def test_the_mock_run_is_gated_by_default_on_statuses_and_error_codes() -> None:
    bars = dict(kv.split("=") for kv in _bars().split(","))
    assert {k: float(v) for k, v in bars.items()} == {"statuses": 95.0, "error-codes": 95.0}
    line = _make("-n", "contract").stdout.strip().splitlines()[-1]
    assert f'--min-coverage "{_bars()}"' in line and "--base-url" not in line


def test_min_coverage_overrides_the_mock_bars() -> None:
    line = _make("-n", "contract", "MIN_COVERAGE=operations=100").stdout.strip().splitlines()[-1]
    assert '--min-coverage "operations=100"' in line and _bars() not in line


def test_a_base_url_run_has_no_bar_unless_asked() -> None:
    line = _make("-n", "contract", "BASE_URL=http://127.0.0.1:9").stdout.strip().splitlines()[-1]
    assert "--min-coverage" not in line and '--base-url "http://127.0.0.1:9"' in line
    asked = _make("-n", "contract", "BASE_URL=http://127.0.0.1:9", "MIN_COVERAGE=statuses=90")
    assert '--min-coverage "statuses=90"' in asked.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_a_mock_run_below_the_default_bar_exits_one_with_one_line_per_bar(tmp_path: Path) -> None:
    """The examples phase alone answers too few statuses and codes: `make contract` fails on the gate."""
    done = _make(
        "contract",
        "MOCK_BUDGET=--max-examples 1 --phases examples --allow-incomplete --progress off",
        f"REPORT={tmp_path / 'reports'}",
        timeout=300,
    )
    gate = [line for line in done.stderr.splitlines() if line.startswith("coverage gate: ")]
    assert done.returncode != 0 and "Error 1" in done.stderr, done.stderr[-2000:]
    assert len(gate) == 2, done.stderr[-2000:]
    assert "coverage of statuses is" in gate[0] and "below the bar of 95%" in gate[0]
    assert "coverage of error codes is" in gate[1] and "below the bar of 95%" in gate[1]
    assert "Traceback" not in done.stderr
