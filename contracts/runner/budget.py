"""When to stop sending: the run's time budget, and a breaker for a target that went away.

A run that cannot judge must say so quickly, not grind through thousands of doomed requests.
:class:`Budget` is a deadline for the whole run (``--max-duration``); a ``Retry-After`` is
honoured only while it fits in what is left. :class:`Breaker` counts consecutive requests that got
no usable answer (a transport error, or still "not now" after the retries) and trips at
``limit``: from then on nothing more is sent and the engine is told to stop, so a dead, hung or
permanently unavailable server ends the run in a few request timeouts.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_MAX_DURATION = 1800.0
"""Seconds a run may take by default (the nightly workflow job allows an hour)."""
BREAKER_LIMIT = 3
"""Consecutive requests without a usable answer after which the target counts as gone."""


@dataclass
class Budget:
    """A deadline on the monotonic clock; ``seconds`` None or 0 means no limit."""

    seconds: float | None
    started: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        if not self.seconds:
            return math.inf
        return self.seconds - (time.monotonic() - self.started)

    @property
    def spent(self) -> bool:
        return self.remaining() <= 0

    def allows(self, delay: float) -> bool:
        """Whether waiting ``delay`` seconds still ends inside the budget."""
        return delay < self.remaining()


class Stopped(Exception):
    """Raised instead of sending once the breaker has tripped or the budget is spent."""


@dataclass
class Breaker:
    """Trips after ``limit`` consecutive failed requests, or when told to (the budget ran out)."""

    limit: int = BREAKER_LIMIT
    reason: str = ""
    """Why it tripped (empty while closed)."""
    kind: str = ""
    """``infrastructure`` (the target failed) or ``budget`` (the time ran out)."""
    on_trip: list[Callable[[], None]] = field(default_factory=list)
    _streak: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def tripped(self) -> bool:
        return bool(self.reason)

    def success(self) -> None:
        with self._lock:
            self._streak.clear()

    def failure(self, what: str) -> None:
        """One request got no usable answer; ``what`` names the failure ("ConnectionResetError")."""
        with self._lock:
            self._streak.append(what)
            streak = list(self._streak)
        if len(streak) >= self.limit:
            self.trip(
                f"the target stopped answering: {len(streak)} requests in a row failed ({streak[-1]})",
                kind="infrastructure",
            )

    def trip(self, reason: str, *, kind: str) -> None:
        with self._lock:
            if self.reason:
                return
            self.reason, self.kind = reason, kind
            callbacks = list(self.on_trip)
        for callback in callbacks:
            callback()
