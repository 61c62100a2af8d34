"""Credentials for a run, read from the environment only: settings and flags name the variables.

Whatever is read here is also handed to the redactor, so no output can contain it, nor the
base64 ``user:password`` of Basic auth, nor the bearer token.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from contracts.config import secret_from_env
from contracts.report.redact import Redactor

MOCK_USER = "contracts"
LOCAL_CREDENTIALS = ("contracts", "contracts")
"""The Basic pair ``contracts mock`` requires unless told otherwise, and the one ``contracts run``
sends to a loopback URL when the environment holds no credentials: the two started as the README
says agree without any set-up. Never sent anywhere but loopback."""
LOCAL_NOACCESS_CREDENTIALS = ("noaccess", "noaccess")
"""The Basic pair the mock accepts as a valid user *without access* (answered 403) unless told
otherwise, and the one the coverage phase sends to loopback to elicit 403."""


@dataclass(frozen=True, repr=False)
class Credentials:
    """Basic user and password, or a bearer token (Basic wins when both are set)."""

    user: str | None = None
    password: str | None = None
    token: str | None = None

    def __repr__(self) -> str:
        return f"Credentials(user={self.user!r}, password={'***' if self.password else None}, token={'***' if self.token else None})"

    @classmethod
    def from_env(cls, *, user: str | None, user_env: str, password_env: str, token_env: str) -> Credentials:
        """``user`` (a flag value) or the user variable; the password and token from their variables."""
        return cls(
            user or secret_from_env(user_env),
            secret_from_env(password_env),
            secret_from_env(token_env),
        )

    @classmethod
    def for_mock(cls, given: Credentials) -> Credentials:
        """The given Basic pair, else a random one for the embedded mock (which then checks it)."""
        if given.user and given.password:
            return given
        return cls(MOCK_USER, secrets.token_urlsafe(16), None)

    def for_loopback(self) -> Credentials:
        """These credentials, or the local default pair when there are none."""
        if self.basic or self.token:
            return self
        return Credentials(*LOCAL_CREDENTIALS)

    @property
    def basic(self) -> bool:
        return bool(self.user and self.password)

    @property
    def scheme(self) -> str:
        return "basic" if self.basic else "bearer" if self.token else "none"

    def headers(self) -> dict[str, str]:
        """The Authorization header these credentials send (empty without credentials)."""
        if self.user and self.password:
            pair = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            return {"Authorization": f"Basic {pair}"}
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        return {}

    def redactor(self, *env_names: str) -> Redactor:
        """A redactor for these secrets, plus every secret-looking environment variable."""
        return Redactor.for_credentials(self.user, self.password, self.token).with_environment(env_names)
