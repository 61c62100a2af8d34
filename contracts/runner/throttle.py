"""Be gentle with someone else's server: a request rate, Retry-After, backoff on 429/502/503/504.

One :class:`Throttle` paces every request of a run, schemathesis's and our own (preflight,
cleanup), whatever the HTTP library: it takes a ``send`` callable and reads the status and the
``Retry-After`` header of what comes back. Retries are recorded as infrastructure incidents, so a
flaky gateway is reported as trouble with the environment, never as a contract violation.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Protocol, TypeVar

RETRY_STATUSES = frozenset({429, 502, 503, 504})
"""Statuses that say "not now" (rate limit, gateway trouble) rather than anything about the contract."""
UNPROCESSED = frozenset({429, 503})
"""Of those, the ones that say the request was not processed: the only ones a write is retried on
(a 502/504 may hide a write that happened, and retrying it would create a duplicate)."""
MAX_PAUSE = 60.0
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
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date), capped at a minute."""
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
    incidents: list[Incident] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    """Incidents by kind, listed or not."""
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

    def call(self, label: str, send: Callable[[], R], *, idempotent: bool = True) -> R:
        """``send()`` at the allowed pace, again after a pause while the answer says "not now"."""
        pause = self.backoff
        retried = RETRY_STATUSES if idempotent else UNPROCESSED
        for attempt in range(self.retries + 1):
            self.wait()
            response = send()
            if response.status_code not in retried:
                if response.status_code in RETRY_STATUSES:
                    self.note(
                        Incident("unavailable", f"{label}: {response.status_code} (a write is not retried)")
                    )
                return response
            if attempt == self.retries:
                self.note(
                    Incident(
                        "gave-up",
                        f"{label}: still {response.status_code} after {self.retries} retries",
                    )
                )
                return response
            delay = retry_after(response.headers, pause)
            self.note(Incident("retry", f"{label}: {response.status_code}, retried after {delay:.1f}s"))
            response.close()
            self.sleep(delay)
            pause *= 2
        raise AssertionError("unreachable")  # pragma: no cover


def default_rate(rate: float | None, loopback: bool, remote_default: float) -> float:
    """The configured rate, else unlimited on loopback and ``remote_default`` elsewhere."""
    if rate is not None:
        return rate
    return 0.0 if loopback else remote_default
