"""Who may call the mock: the required Basic pair, and a documented pair that is valid but has no access.

The decision is a role name of :mod:`contracts.error_facts` (``UNAUTHENTICATED``, ``FORBIDDEN``) or
``None`` for "let through"; :mod:`contracts.mock.guard` turns the role into the spec's code
(``spec.error_facts.role``). Decisions are cached per header value in a bounded cache (a client sending a new header
on every request costs a decode, not memory).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Literal

from contracts.errors import ConfigError

Denial = Literal["unauthenticated", "forbidden"]
CACHE_SIZE = 1024
"""Header values remembered; the cache starts over when full."""
_CACHEABLE = 512
"""Longer header values are decided every time, so the cache holds at most ~0.5 MB."""


class Auth:
    """``credentials``: the Basic pair required (``None``: any pair, or any bearer token, is accepted).
    ``no_access``: a Basic pair that authenticates but may do nothing (answered 403), ``None`` for none."""

    def __init__(self, credentials: tuple[str, str] | None, no_access: tuple[str, str] | None) -> None:
        if no_access is not None and no_access == credentials:
            raise ConfigError(
                "the mock's no-access credentials are the same pair as the required ones",
                hint="give --no-access-credentials (or $CONTRACTS_MOCK_NOACCESS_CREDENTIALS) another pair",
            )
        self.credentials, self.no_access = credentials, no_access
        self._cache: dict[str, Denial | None] = {}

    def denial(self, header: str | None) -> Denial | None:
        """Why the ``Authorization`` header is refused, or ``None`` when it is accepted."""
        if not header:
            return "unauthenticated"
        try:
            return self._cache[header]
        except KeyError:
            pass
        decided = self._decide(header)
        if len(header) <= _CACHEABLE:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[header] = decided
        return decided

    def _decide(self, header: str) -> Denial | None:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return None if value.strip() and self.credentials is None else "unauthenticated"
        if scheme.lower() != "basic":
            return "unauthenticated"
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return "unauthenticated"
        user, sep, password = decoded.partition(":")
        if not sep:
            return "unauthenticated"
        if self.no_access is not None and _same((user, password), self.no_access):
            return "forbidden"
        if self.credentials is None or _same((user, password), self.credentials):
            return None
        return "unauthenticated"


def _same(given: tuple[str, str], expected: tuple[str, str]) -> bool:
    """Constant-time comparison of both parts (the mock may listen beyond loopback with --host)."""
    user = hmac.compare_digest(given[0].encode(), expected[0].encode())
    return hmac.compare_digest(given[1].encode(), expected[1].encode()) and user
