"""Be gentle with someone else's server: a request rate, Retry-After, backoff on 429/502/503/504.

One :class:`Throttle` paces every request of a run, schemathesis's and our own (preflight,
cleanup), whatever the HTTP library: it takes a ``send`` callable and reads the status and the
``Retry-After`` header of what comes back. Retries are recorded as infrastructure incidents, so a
flaky gateway is reported as trouble with the environment, never as a contract violation.

``Retry-After`` is honoured as long as the wait fits in the run's :class:`~contracts.runner.budget.Budget`;
a request that never got a usable answer (transport error, still "not now" after the retries, a
wait beyond the budget) is *lost*: it is counted, and feeds the
:class:`~contracts.runner.budget.Breaker` that stops a run whose target went away.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Protocol, TypeVar

from contracts.runner.budget import Breaker, Budget, Stopped

RETRY_STATUSES = frozenset({429, 502, 503, 504})
"""Statuses that say "not now" (rate limit, gateway trouble) rather than anything about the contract."""
UNPROCESSED = frozenset({429, 503})
"""Of those, the ones that say the request was not processed: the only ones a write is retried on
(a 502/504 may hide a write that happened, and retrying it would create a duplicate)."""
MAX_PAUSE = 3600.0
"""A longer ``Retry-After`` is read as this (beyond any sensible budget: the request is given up)."""
MAX_INCIDENTS = 500
"""Incidents kept in full; past that they are only counted (a dead server fails every request)."""


class Answer(Protocol):
    """What the throttle reads of a response: requests', httpx's and starlette's all fit."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    def close(self) -> None: ...


R = TypeVar("R", bound=Answer)


def retry_after(headers: Mapping[str, str], default: float) -> float:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date), capped at an hour."""
    value = (headers.get("retry-after") or headers.get("Retry-After") or "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return default
    return min(max(seconds, 0.0), MAX_PAUSE)


@dataclass(frozen=True)
class Incident:
    """Trouble with the environment, not the contract: retries, transport errors, cleanup problems."""

    kind: str
    message: str
    operation: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"kind": self.kind, "operation": self.operation, "message": self.message}


@dataclass
class Throttle:
    """A minimum interval between requests (``rate`` per second, 0 = unlimited), shared by all threads."""

    rate: float
    retries: int = 3
    backoff: float = 0.5
    sleep: Callable[[float], None] = time.sleep
    budget: Budget = field(default_factory=lambda: Budget(None))
    breaker: Breaker = field(default_factory=Breaker)
    incidents: list[Incident] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    """Incidents by kind, listed or not."""
    sent: int = 0
    """Requests that left (retries included)."""
    lost: int = 0
    """Requests that got no usable answer."""
    first_loss: str = ""
    """What the first lost request ran into ("ConnectionError (ConnectionResetError) on GET …")."""
    _next: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def wait(self) -> None:
        """Block until this thread may send (slots are handed out in order, one per interval)."""
        if self.rate <= 0:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + 1.0 / self.rate
        if slot > now:
            self.sleep(slot - now)

    def note(self, incident: Incident) -> None:
        with self._lock:
            self.counts[incident.kind] += 1
            if len(self.incidents) < MAX_INCIDENTS:
                self.incidents.append(incident)

    def admit(self) -> None:
        """Raise :class:`Stopped` once the breaker has tripped or the budget is spent."""
        if not self.breaker.tripped and self.budget.spent:
            self.breaker.trip(f"the run's time budget ({self.budget.seconds:g} s) ran out", kind="budget")
        if self.breaker.tripped:
            raise Stopped(self.breaker.reason)

    def absorb(self, sent: int, lost: int, first_loss: str) -> None:
        """Another throttle's counts (a worker process's), added to this run's."""
        with self._lock:
            self.sent += sent
            self.lost += lost
            self.first_loss = self.first_loss or first_loss

    def failed(self, label: str, error: BaseException) -> None:
        """A request failed at the transport (reset, truncated body, timeout): lost, and one more for the breaker."""
        name = error_name(error)
        self.note(Incident("transport", f"{label}: {name}: {str(error)[:160]}"))
        self._lose(f"{name} on {label}")

    def _lose(self, what: str) -> None:
        with self._lock:
            self.lost += 1
            self.first_loss = self.first_loss or what
        self.breaker.failure(what)

    def call(self, label: str, send: Callable[[], R], *, idempotent: bool = True) -> R:
        """``send()`` at the allowed pace, again after a pause while the answer says "not now"."""
        pause = self.backoff
        retried = RETRY_STATUSES if idempotent else UNPROCESSED
        for attempt in range(self.retries + 1):
            self.admit()
            self.wait()
            with self._lock:
                self.sent += 1
            response = send()
            status = response.status_code
            if status not in retried:
                if status in RETRY_STATUSES:
                    self.note(Incident("unavailable", f"{label}: {status} (a write is not retried)"))
                    self._lose(f"{status} on {label}")
                else:
                    self.breaker.success()
                return response
            delay = retry_after(response.headers, pause)
            if attempt == self.retries or not self.budget.allows(delay):
                why = (
                    f"still {status} after {attempt} retries"
                    if attempt == self.retries
                    else f"{status}, Retry-After {delay:g} s is more than the run's budget has left"
                )
                self.note(Incident("gave-up", f"{label}: {why}"))
                self._lose(f"{status} on {label}, Retry-After honoured")
                return response
            self.note(Incident("retry", f"{label}: {status}, retried after {delay:.1f}s"))
            response.close()
            self.sleep(delay)
            pause *= 2
        raise AssertionError("unreachable")  # pragma: no cover


def error_name(error: BaseException) -> str:
    """``ConnectionError (ConnectionResetError)``: the error and the root cause it wraps, if any."""
    name, root, seen = error.__class__.__name__, error, 0
    while seen < 8:
        inner = next((a for a in root.args if isinstance(a, BaseException)), None)
        inner = inner or root.__cause__ or root.__context__
        if inner is None:
            break
        root, seen = inner, seen + 1
    cause = root.__class__.__name__
    return name if cause == name else f"{name} ({cause})"


def default_rate(rate: float | None, loopback: bool, remote_default: float) -> float:
    """The configured rate, else unlimited on loopback and ``remote_default`` elsewhere."""
    if rate is not None:
        return rate
    return 0.0 if loopback else remote_default
