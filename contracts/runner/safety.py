"""Staging is someone else's system: read-only unless writes are allowed, and what a run writes is
recognisable by its name prefix.

The guard sits at the transport (every request of a run passes :meth:`Safety.guard`), so a write
cannot leave without ``--allow-writes`` even if a phase or a check decides to send one.
"""

from __future__ import annotations

import ipaddress
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from contracts.errors import UsageError
from contracts.spec import READ_METHODS

PREFIX_FIELDS = frozenset({"name"})
"""Request-body keys whose string values name what a write creates; they get the run prefix."""


def check_base_url(url: str) -> str:
    """The URL without a trailing slash, or a one-line UsageError saying what is wrong with it."""
    hint = "give a URL like https://staging.example.com"
    if not url.strip():
        raise UsageError(
            "--base-url is empty: refusing to guess a target (an unset variable?)",
            hint="give a URL like https://staging.example.com, or leave --base-url out to test the embedded mock",
        )
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise UsageError(f"bad --base-url {url!r}: {exc}", hint=hint) from None
    if parts.scheme not in ("http", "https"):
        raise UsageError(f"bad --base-url {url!r}: the scheme must be http or https", hint=hint)
    if not parts.hostname:
        raise UsageError(f"bad --base-url {url!r}: no host", hint=hint)
    if parts.query or parts.fragment:
        raise UsageError(f"bad --base-url {url!r}: no query or fragment allowed", hint=hint)
    return url.strip().rstrip("/")


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class WriteBlocked(RuntimeError):
    """A write request was about to leave without --allow-writes (a bug if it ever triggers)."""


@dataclass
class Safety:
    """The write guard and the run prefix for the names of what a run creates."""

    allow_writes: bool
    prefix: str
    sent: Counter[str] = field(default_factory=Counter)
    blocked: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def guard(self, method: str, url: str) -> None:
        """Let a request leave, or raise WriteBlocked for a write without permission."""
        method = method.upper()
        with self._lock:
            if method not in READ_METHODS and not self.allow_writes:
                self.blocked.append(f"{method} {urlsplit(url).path}")
                raise WriteBlocked(
                    f"{method} {urlsplit(url).path}: writes are not allowed (use --allow-writes)"
                )
            self.sent[method] += 1

    def prefixed(self, body: Any) -> Any:
        """``body`` with the run prefix on every name it gives; other values are returned unchanged.

        A name at least as long as the prefix keeps its length (its head is replaced), so the
        schema's length limits still hold; a shorter one is prefixed.
        """
        if isinstance(body, list):
            return [self.prefixed(item) for item in body]
        if not isinstance(body, dict):
            return body
        out = {}
        for key, value in body.items():
            if key in PREFIX_FIELDS and isinstance(value, str):
                out[key] = self._name(value)
            elif isinstance(value, (dict, list)):
                out[key] = self.prefixed(value)
            else:
                out[key] = value
        return out

    def own(self, number: int) -> str:
        """A name for a write of the run's own (the targeted phase's unique values): ``contracts-<run>.<n>``.

        Not under :attr:`prefix` (its last character is replaced by ``.``), so no name :meth:`prefixed`
        gives a generated body can equal it: a 20-character generated name keeps one character of its
        own after the prefix, and ``contracts-<run>-0`` from schemathesis once made the targeted phase's
        first create a duplicate (its ids lost, half its probes skipped).
        """
        return f"{self.prefix[:-1]}.{number}"

    def _name(self, value: str) -> str:
        if value.startswith(self.prefix):
            return value
        if len(value) >= len(self.prefix):
            return self.prefix + value[len(self.prefix) :]
        return self.prefix + value
