"""What a run is doing right now, for whoever shows progress (``contracts.report.progress``).

The runner never prints: it keeps a :class:`Live` state that a :class:`ProgressSink` polls from its
own thread (a rich bar on a terminal, a plain line every few seconds in a CI log).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Snapshot:
    phase: str
    operation: str | None
    judged: int
    """Responses judged so far."""
    violations: int
    requests: int
    elapsed: float
    done: int = 0
    """Operations finished in this phase."""
    total: int | None = None
    """Operations in this phase, when known."""
    phase_elapsed: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left in this phase, from its pace so far (None when unknown)."""
        if not self.total or not self.done or self.done >= self.total:
            return None
        return self.phase_elapsed / self.done * (self.total - self.done)


class ProgressSink(Protocol):
    def start(self, snapshot: Callable[[], Snapshot]) -> None: ...

    def stop(self) -> None: ...


@dataclass
class Live:
    """Mutable run state behind :class:`Snapshot`; the counters are read from the given callables."""

    judged: Callable[[], int] = lambda: 0
    violations: Callable[[], int] = lambda: 0
    requests: Callable[[], int] = lambda: 0
    engine: Callable[[], tuple[str, str | None, int, int | None]] | None = None
    """(phase, operation, done, total) of schemathesis's engine while it runs."""
    phase: str = "starting"
    started: float = field(default_factory=time.monotonic)
    _phase_started: float = field(default_factory=time.monotonic)
    _last_phase: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def snapshot(self) -> Snapshot:
        phase, operation, done, total = self.phase, None, 0, None
        if self.engine is not None:
            phase, operation, done, total = self.engine()
        now = time.monotonic()
        with self._lock:
            if phase != self._last_phase:
                self._last_phase, self._phase_started = phase, now
            phase_started = self._phase_started
        return Snapshot(
            phase=phase or self.phase,
            operation=operation,
            judged=self.judged(),
            violations=self.violations(),
            requests=self.requests(),
            elapsed=now - self.started,
            done=done,
            total=total,
            phase_elapsed=now - phase_started,
        )
