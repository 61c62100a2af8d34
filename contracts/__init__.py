"""Contract-testing toolkit for the Capillary Milestones & Streaks (target group) v3 API.

The public surface is small and pinned by a test: load the spec, run the check registry over an
exchange, register your own checks.
"""

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
