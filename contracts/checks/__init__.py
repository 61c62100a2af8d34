"""The check registry: one small function per check, registered with :func:`check`.

A check takes a :class:`CheckContext` and yields :class:`~contracts.findings.Finding` objects
(:meth:`CheckContext.finding`); it never raises, prints or stops at the first problem. Its function
name is its stable public name: the ``--checks`` value, the config key, the report id and the docs
anchor; it is written once, in the ``def``, and the registry (:mod:`contracts.registry`, shared with
the lint rules) fills it into the check's findings. Preconditions are
declared (``requires=``) and the registry skips a check whose preconditions do not hold, so check
bodies stay a few lines long. The runner, ``contracts validate`` and the mock's strict mode all go
through :func:`iter_findings`; nobody calls a check by hand.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from contracts.exchange import Exchange
from contracts.findings import Finding
from contracts.registry import Registry, summary_of
from contracts.spec import Operation, Spec
from contracts.types import Severity

if TYPE_CHECKING:
    from contracts.checks._schemas import ResponsePlan

Requirement = Literal["json", "documented_status", "success", "error"]
"""``json``: the body parses as JSON; ``documented_status``: the spec documents the status;
``success``: 2xx; ``error``: 4xx or 5xx."""


@dataclass(frozen=True)
class CheckContext:
    """What a check sees: the spec, the operation it answers for and the exchange."""

    spec: Spec
    operation: Operation
    exchange: Exchange

    @functools.cached_property
    def plan(self) -> ResponsePlan | None:
        """The plan of the documented response (:func:`contracts.checks._schemas.plan`), looked up
        once per exchange for all the checks that ask (None when the status is undocumented)."""
        from contracts.checks._schemas import plan

        return plan(self.operation, self.exchange.status)

    def finding(self, message: str, pointer: str = "", spec_pointer: str = "", **fields: Any) -> Finding:
        """A finding about this exchange (operation and status filled in; the registry adds the check)."""
        return Finding(
            "",
            message,
            operation=self.operation.operation_id,
            pointer=pointer,
            spec_pointer=spec_pointer,
            status=self.exchange.status,
            **fields,
        )


CheckFunction = Callable[[CheckContext], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    name: str
    function: CheckFunction
    requires: frozenset[Requirement]
    module: str
    severity: Severity = "error"
    """The severity of its findings; ``strict`` makes a warning an error (:func:`iter_findings`)."""

    @property
    def summary(self) -> str:
        return summary_of(self.function)

    def applies(self, ctx: CheckContext) -> bool:
        return self.requires <= facts(ctx)


def facts(ctx: CheckContext) -> frozenset[Requirement]:
    """The preconditions that hold for ``ctx``'s exchange (worked out once per exchange, not per check)."""
    ex = ctx.exchange
    status = ex.status
    held: list[Requirement] = []
    if ex.is_json:
        held.append("json")
    if ctx.operation.response_key(status) is not None:
        held.append("documented_status")
    if 200 <= status < 300:
        held.append("success")
    elif status >= 400:
        held.append("error")
    return frozenset(held)


REGISTRY: Registry[Check] = Registry("check")


def check(
    *, requires: Sequence[Requirement] = (), severity: Severity = "error"
) -> Callable[[CheckFunction], CheckFunction]:
    """Register the decorated function as a check named after it (``severity``: of its findings)."""

    def register(function: CheckFunction) -> CheckFunction:
        REGISTRY.register(
            Check(function.__name__, function, frozenset(requires), function.__module__, severity)
        )
        return function

    return register


def unregister(name: str) -> None:
    """Remove a check (for tests and for users replacing a built-in check)."""
    REGISTRY.unregister(name)


def select(names: Iterable[str] | None = None) -> list[Check]:
    """The named checks (all when ``names`` is None), with a did-you-mean for unknown names."""
    load_builtin_checks()
    return list(REGISTRY.values()) if names is None else REGISTRY.known(names)


def iter_findings(
    spec: Spec, exchange: Exchange, checks: Sequence[Check] | None = None, *, strict: bool = False
) -> Iterator[Finding]:
    """Every finding of every applicable check on one exchange; ``strict``: warnings become errors."""
    ctx = CheckContext(spec, spec.operation(exchange.operation), exchange)
    held = facts(ctx)
    for chk in checks if checks is not None else select():
        if chk.requires <= held:
            for finding in chk.function(ctx):
                if not finding.check:  # the registry writes the name (contracts.registry)
                    finding = dataclasses.replace(finding, check=chk.name)
                yield escalate(finding) if strict else finding


def escalate(finding: Finding) -> Finding:
    """``finding`` at error severity (what ``--strict`` does to a warning)."""
    return finding if finding.severity == "error" else dataclasses.replace(finding, severity="error")


BUILTIN_MODULES: tuple[str, ...] = (
    "status",
    "media",
    "schema",
    "envelope",
    "enums",
    "error_codes",
    "formats",
    "headers",
    "properties",
)
"""Modules under ``contracts.checks`` that hold the built-in checks (imported on first use)."""


def load_builtin_checks() -> None:
    for module in BUILTIN_MODULES:
        importlib.import_module(f"contracts.checks.{module}")
