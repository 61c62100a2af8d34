"""The one place secrets are masked: every reporter, log line and error sees redacted data only.

Known secrets (passwords, tokens, the base64 ``user:password`` of Basic auth) are replaced
wherever they appear; Authorization and Cookie header values are masked whatever they hold.
"""

from __future__ import annotations

import base64
import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from contracts.findings import Finding

MASK = "[REDACTED]"
_HEADER = re.compile(r"(?i)((?:authorization|proxy-authorization|cookie|set-cookie)\s*[:=]\s*)([^'\"\r\n]+)")


class Redactor:
    """Masks a fixed set of secrets, plus credential headers, in strings and nested data."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        values = {s for s in secrets if s and len(s) >= 3}
        self.secrets = sorted(values, key=len, reverse=True)

    @classmethod
    def for_credentials(cls, user: str | None, password: str | None, token: str | None) -> Redactor:
        extra = []
        if user and password:
            pair = f"{user}:{password}".encode()
            extra += [base64.b64encode(pair).decode(), base64.urlsafe_b64encode(pair).decode()]
        return cls([password, token, *extra])

    def text(self, value: str) -> str:
        for secret in self.secrets:
            value = value.replace(secret, MASK)
        return _HEADER.sub(lambda m: m.group(1) + MASK, value)

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
