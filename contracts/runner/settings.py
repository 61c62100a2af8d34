"""The settings of ``contracts run``: ``[tool.contracts.run]`` and the flags, one frozen dataclass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from contracts.runner.budget import DEFAULT_MAX_DURATION
from contracts.runner.plan import PHASES

SKIP_WRITE = "write operation: not sent in a read-only run (use --allow-writes)"


@dataclass(frozen=True)
class RunSettings:
    """``[tool.contracts.run]``; every flag of ``contracts run`` has its twin here, and flags win.

    Secrets are never settings: ``*_env`` name the environment variables that hold them.
    """

    base_url: str | None = None
    max_examples: int = 10
    allow_writes: bool = False
    allow_incomplete: bool = False
    """Selected operations without a judged response are a warning, not exit 2 (infrastructure
    trouble stays exit 2)."""
    strict: bool = False
    """Warnings (e.g. undocumented_property) count as violations."""
    rate_limit: float | None = None
    max_duration: float = DEFAULT_MAX_DURATION
    """The run's time budget in seconds (0 = none): Retry-After is honoured within it; when it runs
    out the run stops and is incomplete."""
    report: str | None = None
    checks: tuple[str, ...] = ()
    phases: tuple[str, ...] = PHASES
    timeout: float = 10.0
    workers: int = 1
    progress: Literal["auto", "rich", "plain", "off"] = "auto"
    basic_user: str | None = None
    basic_user_env: str = "CONTRACTS_BASIC_USER"
    basic_password_env: str = "CONTRACTS_BASIC_PASSWORD"
    bearer_token_env: str = "CONTRACTS_BEARER_TOKEN"
    noaccess_user_env: str = "CONTRACTS_NOACCESS_USER"
    noaccess_password_env: str = "CONTRACTS_NOACCESS_PASSWORD"
    """A valid Basic pair without access, for the targeted phase's 403 (loopback: the local default)."""
    min_coverage: str | None = None
    """``statuses=95,error-codes=95``: the run fails (exit 1) when observed coverage is below a bar."""
    seed: int | None = None
