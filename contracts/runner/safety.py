"""Staging is someone else's system: read-only unless writes are allowed, names carry a run prefix,
and what the run created is deleted at the end."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from contracts.errors import UsageError

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def check_base_url(url: str) -> str:
    """The URL without a trailing slash, or a one-line UsageError saying what is wrong with it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UsageError(f"bad --base-url {url!r}: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise UsageError(f"bad --base-url {url!r}: the scheme must be http or https")
    if not parts.hostname:
        raise UsageError(f"bad --base-url {url!r}: no host")
    del port
    return url.rstrip("/")


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class WriteBlocked(RuntimeError):
    """A write request was about to leave without --allow-writes (a bug if it ever triggers)."""


@dataclass
class Safety:
    """The write guard, the run prefix for created names, and the list of what to clean up."""

    allow_writes: bool
    prefix: str
    created_groups: list[int] = field(default_factory=list)
    sent: list[tuple[str, str]] = field(default_factory=list)

    def before_request(self, method: str, path: str, body: Any) -> Any:
        """Guard at the transport: raise for a write without permission; prefix created names."""
        self.sent.append((method.upper(), path))
        if method.upper() not in READ_METHODS and not self.allow_writes:
            raise WriteBlocked(f"{method} {path} blocked: writes are not allowed (use --allow-writes)")
        name = body.get("name") if isinstance(body, dict) else None
        if isinstance(name, str) and not name.startswith(self.prefix) and len(name) + len(self.prefix) <= 200:
            body["name"] = self.prefix + name
        return body

    def created(self, operation_id: str, status: int, body: Any) -> None:
        """Remember target groups the run created (their deletion removes periods and targets too)."""
        if operation_id == "create-target-groups" and 200 <= status < 300 and isinstance(body, dict):
            data = body.get("data")
            if (
                isinstance(data, dict)
                and isinstance(data.get("id"), int)
                and data["id"] not in self.created_groups
            ):
                self.created_groups.append(data["id"])
