"""A minimal reproduction of a request as one curl line (secrets are redacted by the caller)."""

from __future__ import annotations

import shlex
from collections.abc import Mapping

SKIPPED = {"content-length", "host", "accept-encoding", "connection", "user-agent", "accept"}


def curl(
    method: str, url: str, headers: Mapping[str, str] | None = None, body: bytes | str | None = None
) -> str:
    parts = ["curl", "-X", method.upper()]
    for name, value in (headers or {}).items():
        if name.lower() not in SKIPPED:
            parts += ["-H", f"{name}: {value}"]
    if body:
        parts += ["-d", body.decode("utf-8", "replace") if isinstance(body, bytes) else body]
    parts.append(url)
    return " ".join(shlex.quote(p) for p in parts)
