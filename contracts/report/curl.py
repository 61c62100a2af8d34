"""A minimal reproduction of a request as one shell-quoted curl line.

Credentials are left in place here and masked by :mod:`contracts.report.redact` with everything
else, so the line is reproducible once the user puts their own credentials back.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping

SKIPPED = {
    "content-length",
    "host",
    "accept-encoding",
    "connection",
    "user-agent",
    "accept",
    "x-schemathesis-testcaseid",
}
"""Headers every client adds by itself; a reproduction line is shorter without them."""


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
