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
Quiet = Literal["documented_status", "schema_valid", "declares_all"]
"""A fact under which a check finds nothing, declared with ``quiet=`` so the registry skips calling it:
``documented_status`` (as above), ``schema_valid``: the JSON body is valid for the documented
response schema, ``declares_all``: valid and every property declared (the closed schema). The body
facts are :meth:`ResponsePlan.verdicts <contracts.checks._schemas.ResponsePlan.verdicts>`, worked out
once per exchange: a conforming response costs one validation for all the checks that ask."""
_BODY_FACTS: frozenset[Quiet] = frozenset({"schema_valid", "declares_all"})
_UNSET: Any = object()


@functools.cache
def _plan_of() -> Callable[[Operation, int], ResponsePlan | None]:
    """:func:`contracts.checks._schemas.plan`, imported once (that module imports this package)."""
    from contracts.checks._schemas import plan

    return plan


class CheckContext:
    """What a check sees: the spec, the operation it answers for and the exchange (built once per
    exchange, so a plain class: a frozen dataclass's ``__init__`` alone cost as much as a check)."""

    __slots__ = ("_plan", "exchange", "operation", "spec")

    def __init__(self, spec: Spec, operation: Operation, exchange: Exchange) -> None:
        self.spec = spec
        self.operation = operation
        self.exchange = exchange
        self._plan: Any = _UNSET

    def __repr__(self) -> str:
        return f"CheckContext(operation={self.operation.operation_id!r}, status={self.exchange.status})"

    @property
    def plan(self) -> ResponsePlan | None:
        """The plan of the documented response (:func:`contracts.checks._schemas.plan`), looked up
        once per exchange for all the checks that ask (None when the status is undocumented)."""
        found = self._plan
        if found is _UNSET:
            found = self._plan = _plan_of()(self.operation, self.exchange.status)
        return found  # type: ignore[no-any-return]

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
    quiet: frozenset[Quiet] = frozenset()
    """Facts any one of which means the check finds nothing (:data:`Quiet`): then it is not called."""

    @property
    def summary(self) -> str:
        return summary_of(self.function)

    def applies(self, ctx: CheckContext) -> bool:
        return self.requires <= facts(ctx)


def facts(ctx: CheckContext) -> frozenset[Requirement]:
    """The preconditions that hold for ``ctx``'s exchange (worked out once per exchange, not per check;
    what depends only on the operation and the status, once per pair)."""
    ex = ctx.exchange
    return _status_facts(ctx.spec, ctx.operation, ex.status)[1 if ex.is_json else 0]


_STATUS_FACTS: tuple[Spec, dict[tuple[str, int], tuple[frozenset[Any], frozenset[Any]]]] | None = None
"""The last spec asked about, and its (operation, status) → (facts without, with a JSON body)."""


def _status_facts(spec: Spec, op: Operation, status: int) -> tuple[frozenset[Any], frozenset[Any]]:
    global _STATUS_FACTS
    memo = _STATUS_FACTS
    if memo is None or memo[0] is not spec:
        memo = _STATUS_FACTS = (spec, spec.schemas.memo("checks.status_facts", dict))
    key = (op.operation_id, status)
    found = memo[1].get(key)
    if found is None:
        held: list[Requirement] = []
        if op.response_key(status) is not None:
            held.append("documented_status")
        if 200 <= status < 300:
            held.append("success")
        elif status >= 400:
            held.append("error")
        found = memo[1][key] = (frozenset(held), frozenset([*held, "json"]))
    return found


def body_facts(ctx: CheckContext) -> frozenset[Quiet]:
    """Which of ``schema_valid`` and ``declares_all`` hold for the JSON body of a documented status
    (one closed validation, shared with the checks through :meth:`ResponsePlan.verdicts`)."""
    documented = ctx.plan
    if documented is None or not ctx.exchange.is_json:
        return frozenset()
    valid, closed = documented.verdicts(ctx.exchange)
    return _VERDICT_FACTS[valid, closed]


_VERDICT_FACTS: dict[tuple[bool, bool], frozenset[Quiet]] = {
    (True, True): frozenset({"schema_valid", "declares_all"}),
    (True, False): frozenset({"schema_valid"}),
    (False, False): frozenset(),
    (False, True): frozenset({"declares_all"}),
}


REGISTRY: Registry[Check] = Registry("check")


def check(
    *,
    requires: Sequence[Requirement] = (),
    severity: Severity = "error",
    quiet: Sequence[Quiet] = (),
) -> Callable[[CheckFunction], CheckFunction]:
    """Register the decorated function as a check named after it (``severity``: of its findings;
    ``quiet``: facts under which it finds nothing, so it is not called; a test holds each to it)."""

    def register(function: CheckFunction) -> CheckFunction:
        REGISTRY.register(
            Check(
                function.__name__,
                function,
                frozenset(requires),
                function.__module__,
                severity,
                frozenset(quiet),
            )
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
    """Every finding of every applicable check on one exchange; ``strict``: warnings become errors.

    A check whose ``quiet`` facts hold is not called: the body facts are worked out (one validation),
    before any check runs, when a check that applies declares them. Which checks run is planned once
    per sequence of checks and set of facts (:func:`_plans`), not check by check per exchange."""
    ctx = CheckContext(spec, spec.operation(exchange.operation), exchange)
    plans = _plans(checks if checks is not None else select())
    held: frozenset[Any] = facts(ctx)
    calls, asks = plans.get(held) or _plan(plans, held)
    if asks:
        held = held | body_facts(ctx)
        calls = (plans.get(held) or _plan(plans, held))[0]
    for chk in calls:
        for finding in chk.function(ctx):
            if not finding.check:  # the registry writes the name (contracts.registry)
                finding = dataclasses.replace(finding, check=chk.name)
            yield escalate(finding) if strict else finding


Plans = dict[Any, tuple[tuple[Check, ...], bool]]
"""Of one sequence of checks (its tuple under ``None``): facts held → (the checks to call, in order,
and whether one of them is quiet on a body fact, so the body facts must be worked out first)."""
_PLANS: dict[Any, Plans] = {}
"""Per sequence of checks: a tuple by its identity, another sequence (a list may change) by the
identities of its checks. The plans hold the tuple, so no other object takes those ids meanwhile."""


def _plans(checks: Sequence[Check]) -> Plans:
    """The plans of ``checks`` (a tuple is found at once: ``contracts validate`` passes one)."""
    key: Any = id(checks) if type(checks) is tuple else tuple(map(id, checks))
    found = _PLANS.get(key)
    if found is None:
        if len(_PLANS) >= 64:  # registries changed by hand: bounded all the same
            _PLANS.clear()
        found = _PLANS[key] = {None: (tuple(checks), False)}
    return found


def _plan(plans: Plans, held: frozenset[Any]) -> tuple[tuple[Check, ...], bool]:
    """Which checks apply under ``held``: their ``requires`` hold and none of their ``quiet`` facts
    does; and whether any that applies is quiet on a body fact not yet in ``held``."""
    checks = plans[None][0]
    applying = [c for c in checks if c.requires <= held]
    calls = tuple(c for c in applying if c.quiet.isdisjoint(held))
    asks = held.isdisjoint(_BODY_FACTS) and any(asks_body_facts(c) for c in applying)
    found = plans[held] = (calls, asks)
    return found


def asks_body_facts(chk: Check) -> bool:
    """Whether ``chk`` is quiet on a body fact: where it applies, the body is validated first."""
    return not chk.quiet.isdisjoint(_BODY_FACTS)


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
