"""Progress lines: plain ones in a log, a rich line on a terminal, from real snapshots."""

from __future__ import annotations

import io
import time

from rich.console import Console

from contracts.report.progress import PlainProgress, RichProgress, describe, sink
from contracts.runner.progress import Live, Snapshot


def test_a_line_says_phase_operation_counts_rate_and_eta() -> None:
    s = Snapshot("fuzzing", "get-targets", 120, 2, 60, 10.0, done=3, total=11, phase_elapsed=6.0)
    line = describe(s)
    assert line.startswith(
        "fuzzing · get-targets · 3/11 operations · 120 response(s) judged · 2 violation(s)"
    )
    assert "6.0 req/s" in line and "ETA 16 s" in line


def test_no_eta_when_the_phase_size_is_unknown() -> None:
    assert "ETA" not in describe(Snapshot("stateful", None, 5, 0, 5, 1.0))


def test_plain_progress_prints_at_phase_changes_and_periodically() -> None:
    lines: list[str] = []
    counter = {"n": 0}
    live = Live(judged=lambda: counter["n"], requests=lambda: counter["n"])
    plain = PlainProgress(interval=0.4, write=lines.append)
    plain.start(live.snapshot)
    time.sleep(0.3)
    live.phase, counter["n"] = "cleanup", 7
    time.sleep(0.9)
    plain.stop()
    assert lines[0].startswith("progress: starting")
    assert any(line.startswith("progress: cleanup · 7 response(s) judged") for line in lines)
    assert len(lines) >= 3, "periodic lines as well"


def test_rich_progress_draws_on_a_terminal() -> None:
    out = io.StringIO()
    rich = RichProgress(Console(file=out, force_terminal=True, width=160))
    live = Live(judged=lambda: 42)
    live.phase = "preflight"
    rich.start(live.snapshot)
    time.sleep(0.6)
    rich.stop()
    assert "preflight" in out.getvalue() and "42 response(s) judged" in out.getvalue()


def test_off_means_no_progress() -> None:
    assert sink("off") is None
    assert isinstance(sink("plain"), PlainProgress)
