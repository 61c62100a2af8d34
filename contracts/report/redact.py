"""The one place secrets are masked: every reporter, log line and error sees redacted data only.

Known secrets (passwords, tokens, the base64 ``user:password`` of Basic auth, the values of
secret-looking environment variables) are replaced wherever they appear; credential headers
(Authorization, Cookie, ...), ``Basic``/``Bearer`` credentials and URL passwords are masked
whatever they hold, so even a secret nobody told us about does not leak through them.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from contracts.findings import Finding

MASK = "[REDACTED]"
MIN_SECRET = 3
"""Shorter values are not masked wherever they appear (that would mangle every message)."""
MIN_ENV_SECRET = 8
"""Secret-looking environment variables are masked from this length on."""
SECRET_ENV_NAME = re.compile(r"(?i)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|CREDENTIAL|PRIVATE_KEY|COOKIE)")
_HEADER = re.compile(
    r"(?i)([\"']?\b(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key)[\"']?\s*[:=]\s*[\"']?)"
    r"([^'\"\r\n]+)"
)
_SCHEME = re.compile(r"(?i)\b(basic|bearer)(\s+)([A-Za-z0-9._~+/\-]{8,}=*)")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+:)([^@\s/]+)@")


def _credential(scheme: str, token: str) -> bool:
    """Whether ``token`` after ``Basic``/``Bearer`` is a credential rather than prose ("basic auth")."""
    if scheme.lower() == "bearer":
        return any(c.isdigit() or c in "._~+/=-" for c in token)
    try:
        return b":" in base64.b64decode(token, validate=True)
    except ValueError:
        return False


def _encodings(user: str, password: str) -> list[str]:
    pair = f"{user}:{password}".encode()
    return [base64.b64encode(pair).decode(), base64.urlsafe_b64encode(pair).decode()]


class Redactor:
    """Masks a fixed set of secrets, plus credential headers and schemes, in strings and nested data."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        values = {s for s in secrets if s and len(s) >= MIN_SECRET}
        self.secrets = sorted(values, key=len, reverse=True)

    @classmethod
    def for_credentials(cls, user: str | None, password: str | None, token: str | None) -> Redactor:
        extra = _encodings(user, password) if user and password else []
        return cls([password, token, *extra])

    def with_environment(
        self, names: Iterable[str] = (), environ: Mapping[str, str] | None = None
    ) -> Redactor:
        """Also mask the named variables' values and those of every secret-looking variable."""
        env = os.environ if environ is None else environ
        named = {env.get(n) for n in names}
        looking = {v for k, v in env.items() if SECRET_ENV_NAME.search(k) and len(v) >= MIN_ENV_SECRET}
        return Redactor([*self.secrets, *named, *looking])

    def text(self, value: str) -> str:
        for secret in self.secrets:
            value = value.replace(secret, MASK)
        value = _HEADER.sub(lambda m: m.group(1) + MASK, value)
        value = _SCHEME.sub(
            lambda m: m.group(1) + m.group(2) + MASK if _credential(m.group(1), m.group(3)) else m.group(0),
            value,
        )
        return _USERINFO.sub(lambda m: m.group(1) + MASK + "@", value)

    def data(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        return value

    def finding(self, finding: Finding) -> Finding:
        return dataclasses.replace(
            finding,
            message=self.text(finding.message),
            expected=self.data(finding.expected),
            actual=self.data(finding.actual),
            extra=self.data(finding.extra),
        )
