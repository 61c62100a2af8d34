"""Our own requests (preflight, cleanup) honour Retry-After and back off on 429/502/503/504."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

RETRY_STATUSES = frozenset({429, 502, 503, 504})


def retry_after(response: httpx.Response, default: float) -> float:
    value = response.headers.get("retry-after", "")
    try:
        return min(max(float(value), 0.0), 60.0)
    except ValueError:
        return default


@dataclass
class Throttle:
    """A minimum interval between requests (from a rate in requests per second; 0 = unlimited)."""

    rate: float
    retries: int = 3
    sleep: Callable[[float], None] = time.sleep
    events: list[str] = field(default_factory=list)
    _last: float = 0.0

    def wait(self) -> None:
        if self.rate > 0:
            delay = self._last + 1.0 / self.rate - time.monotonic()
            if delay > 0:
                self.sleep(delay)
        self._last = time.monotonic()

    def request(self, client: httpx.Client, method: str, url: str, **kwargs: object) -> httpx.Response:
        backoff = 0.5
        for attempt in range(self.retries + 1):
            self.wait()
            response = client.request(method, url, **kwargs)  # type: ignore[arg-type]
            if response.status_code not in RETRY_STATUSES or attempt == self.retries:
                return response
            pause = retry_after(response, backoff)
            self.events.append(f"{method} {url}: {response.status_code}, retrying in {pause:.1f}s")
            self.sleep(pause)
            backoff *= 2
        raise AssertionError("unreachable")


def schemathesis_rate(rate: float) -> str | None:
    """Our requests-per-second as schemathesis's rate-limit string."""
    if rate <= 0:
        return None
    return f"{rate:g}/s" if rate >= 1 else f"{max(1, round(rate * 60))}/m"
