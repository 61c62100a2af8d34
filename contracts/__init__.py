"""Contract-testing toolkit for the Capillary Milestones & Streaks (target group) v3 API.

The public surface is small and pinned by a test: load the spec, run the check registry over an
exchange, register your own checks. Its names are imported on first use (PEP 562), so a command
that needs none of them (``contracts lint``) does not pay for the check registry's imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contracts.checks import CheckContext, check, iter_findings
    from contracts.errors import ContractsError, ExitCode
    from contracts.exchange import Exchange
    from contracts.findings import Finding, Result
    from contracts.spec import Operation, Spec, load_spec

__all__ = [
    "CheckContext",
    "ContractsError",
    "Exchange",
    "ExitCode",
    "Finding",
    "Operation",
    "Result",
    "Spec",
    "check",
    "iter_findings",
    "load_spec",
]
_HOMES = {
    "CheckContext": "checks",
    "check": "checks",
    "iter_findings": "checks",
    "ContractsError": "errors",
    "ExitCode": "errors",
    "Exchange": "exchange",
    "Finding": "findings",
    "Result": "findings",
    "Operation": "spec",
    "Spec": "spec",
    "load_spec": "spec",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'contracts' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"contracts.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
