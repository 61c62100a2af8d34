"""Exceptions that stop the toolkit from judging, and the exit codes they map to.

A contract violation is never an exception: it is a :class:`contracts.findings.Finding`.
Exceptions are for the cases where no verdict can be given::

    ContractsError            base; ``str(e)`` is a one-line message a user can act on
    ├── SpecError             the spec cannot be read, parsed, validated or indexed
    ├── ConfigError           [tool.contracts] or a flag has a bad value
    ├── UsageError            unknown operation, unreadable input file, bad argument
    └── TargetError           the server under test cannot be judged: DNS, TLS, refused, timeouts

Only ``contracts.cli`` turns these into messages and exit codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum


class ExitCode(IntEnum):
    """0 clean, 1 findings, 2 could not judge (never a pass when nothing was judged)."""

    OK = 0
    FINDINGS = 1
    ERROR = 2


class ContractsError(Exception):
    """Base class; the message is one line and may carry a hint."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class SpecError(ContractsError):
    """The spec file is missing, malformed, invalid OpenAPI or breaks our conventions."""


class ConfigError(ContractsError):
    """A configuration value or flag is invalid."""


class UsageError(ContractsError):
    """The user asked for something that does not exist or gave unreadable input."""


class TargetError(ContractsError):
    """The server under test could not be reached or kept failing at the transport level."""


def did_you_mean(name: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest known choice, or None when nothing is close (:mod:`difflib` is
    imported here: most runs never misspell a name, and every run would pay for its import)."""
    import difflib

    match = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"did you mean {match[0]!r}?" if match else None
