"""Progress of a running contract run on stderr: a rich status line on a terminal, plain lines in a log.

Both poll the runner's :class:`~contracts.runner.progress.Snapshot` from their own thread, so a
slow target (2 requests/s against staging) still shows that the run is alive: the phase, the
operation, responses judged, violations so far, requests per second and, where the phase knows how
many operations it has, an ETA.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.text import Text

from contracts.runner.progress import ProgressSink, Snapshot

PLAIN_INTERVAL = 10.0
"""Seconds between plain lines (a phase change prints at once)."""


def describe(s: Snapshot) -> str:
    """One line: ``fuzzing · get-targets · 3/11 operations · 120 judged · 0 violations · 9.8 req/s · 12 s``."""
    parts = [s.phase]
    if s.operation:
        parts.append(s.operation)
    if s.total:
        parts.append(f"{s.done}/{s.total} operations")
    parts += [
        f"{s.judged} response(s) judged",
        f"{s.violations} violation(s)",
        f"{s.rate:.1f} req/s",
        f"{s.elapsed:.0f} s",
    ]
    if s.eta is not None:
        parts.append(f"ETA {s.eta:.0f} s")
    return " · ".join(parts)


class PlainProgress:
    """A ``progress:`` line on stderr every ``interval`` seconds and at every phase change."""

    def __init__(self, interval: float = PLAIN_INTERVAL, write: Callable[[str], None] | None = None) -> None:
        self.interval = interval
        self.write = write or (lambda line: print(line, file=sys.stderr, flush=True))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, snapshot: Callable[[], Snapshot]) -> None:
        def loop() -> None:
            phase, waited = "", 0.0
            while not self._stop.wait(0.2):
                waited += 0.2
                now = snapshot()
                if now.phase != phase or waited >= self.interval:
                    phase, waited = now.phase, 0.0
                    self.write(f"progress: {describe(now)}")

        self._thread = threading.Thread(target=loop, name="contracts-progress", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)


class RichProgress:
    """A live status line and a bar (operations of the phase) on a terminal; gone when the run ends."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self._live: Live | None = None

    def start(self, snapshot: Callable[[], Snapshot]) -> None:
        def render() -> Group:
            s = snapshot()
            line = Text.assemble(("● ", "cyan"), (s.phase, "bold"), (describe(s)[len(s.phase) :], ""))
            if s.violations:
                line.stylize("red", 0, 2)
            bar = ProgressBar(total=float(s.total or 1), completed=float(s.done if s.total else 0), width=40)
            return Group(line, bar) if s.total else Group(line)

        self._live = Live(get_renderable=render, console=self.console, refresh_per_second=4, transient=True)
        self._live.start()

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop()


def sink(mode: str) -> ProgressSink | None:
    """The progress display for ``--progress`` (auto: rich on a terminal, plain otherwise)."""
    if mode == "off":
        return None
    if mode == "rich" or (mode == "auto" and sys.stderr.isatty()):
        return RichProgress()
    return PlainProgress()
