"""The one place secrets are masked: every reporter, log line and error sees redacted data only.

Known secrets (passwords, tokens, the base64 ``user:password`` of Basic auth, the values of
secret-looking environment variables) are replaced wherever they appear; credential headers
(Authorization, Cookie, ...), ``Basic``/``Bearer`` credentials and URL passwords are masked
whatever they hold, so even a secret nobody told us about does not leak through them.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
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
SECRET_ENV_NAME = r"(?i)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|CREDENTIAL|PRIVATE_KEY|COOKIE)"
"""Names of environment variables whose values are masked (a pattern; compiled on first use)."""
_HEADER = (
    r"(?i)([\"']?\b(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key)[\"']?\s*[:=]\s*[\"']?)"
    r"([^'\"\r\n]+)"
)
_SCHEME = r"(?i)\b(basic|bearer)(\s+)([A-Za-z0-9._~+/\-]{8,}=*)"
_USERINFO = r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+:)([^@\s/]+)@"


@functools.cache
def _pattern(text: str) -> re.Pattern[str]:
    """``text`` compiled on first use: the masking patterns cost every start-up otherwise, and a
    lint, which masks nothing, would pay for them."""
    return re.compile(text)


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
        looking = {
            v for k, v in env.items() if _pattern(SECRET_ENV_NAME).search(k) and len(v) >= MIN_ENV_SECRET
        }
        return Redactor([*self.secrets, *named, *looking])

    def text(self, value: str) -> str:
        for secret in self.secrets:
            value = value.replace(secret, MASK)
        value = _pattern(_HEADER).sub(lambda m: m.group(1) + MASK, value)
        value = _pattern(_SCHEME).sub(
            lambda m: m.group(1) + m.group(2) + MASK if _credential(m.group(1), m.group(3)) else m.group(0),
            value,
        )
        value = _pattern(_USERINFO).sub(lambda m: m.group(1) + MASK + "@", value)
        return redact_userinfo(value)

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


_URL_START = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://")
_URL_END = re.compile(r"[\s'\"<>`\\]")


def _userinfo_end(run: str) -> int:
    """Where the userinfo of the URL text ``run`` (after ``scheme://``) ends at its ``@``; -1 if none."""
    authority = re.split(r"[/?#]", run, maxsplit=1)[0]
    if "@" in authority:
        return authority.rindex("@")  # the last '@' of the authority ends the userinfo (as urlsplit)
    # A password with a raw '/', '?' or '#' breaks the authority, yet is still a password:
    # ``user:pa/ss@host``. Masked when there is a ':' whose "port" is not digits.
    at = run.find("@")
    user, colon, rest = run[: max(at, 0)].partition(":")
    port = re.match(r"\d*", rest)
    if (
        at < 0
        or not colon
        or not user
        or user.startswith("[")
        or "/" in user
        or (port and port.end() == len(rest.split("/")[0]))
    ):
        return -1
    return at


_REMEMBERED: set[str] = set()
"""Passwords (and lone user-name tokens) seen in URL userinfo of the command line or configuration:
masked wherever they appear later, also outside a URL (a parser quoting ``'s3cret'`` in its error)."""


def forget_userinfo() -> None:
    """Start afresh (each CLI invocation remembers its own command line)."""
    _REMEMBERED.clear()


def remember_userinfo(text: str) -> None:
    """Note the secrets of every URL userinfo in ``text`` so :func:`redact_userinfo` masks them anywhere."""
    from urllib.parse import unquote

    if "@" not in text or "://" not in text:
        return
    for start in _URL_START.finditer(text):
        stop = _URL_END.search(text, start.end())
        run = text[start.end() : stop.start() if stop else len(text)]
        end = _userinfo_end(run)
        if end < 0:
            continue
        user, colon, password = run[:end].partition(":")
        secret = password if colon else user
        # ``pa/ss``: parsers split a raw '/' off and quote the first part ("port 'pa'").
        for part in {secret, re.split(r"[/?#]", secret, maxsplit=1)[0]}:
            for variant in (part, unquote(part)):
                if len(variant) >= MIN_SECRET:
                    _REMEMBERED.add(variant)


def redact_userinfo(text: str) -> str:
    """Mask the whole userinfo (``user:password@``) of every URL in ``text``, and every remembered one.

    A token may travel as the user name alone (``https://ghp_x@host``), so user and password are
    both masked: ``http://admin:s3cret@host/`` becomes ``http://[REDACTED]@host/``.
    """
    for secret in sorted(_REMEMBERED, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    if "@" not in text or "://" not in text:
        return text
    out: list[str] = []
    pos = 0
    for start in _URL_START.finditer(text):
        if start.start() < pos:
            continue
        begin = start.end()
        stop = _URL_END.search(text, begin)
        run = text[begin : stop.start() if stop else len(text)]
        end = _userinfo_end(run)
        if end >= 0:
            out.append(text[pos:begin] + MASK)
            pos = begin + end
    out.append(text[pos:])
    return "".join(out)
