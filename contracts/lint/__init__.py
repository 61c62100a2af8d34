"""The spec linter: one small function per house rule, registered with :func:`rule`.

A rule takes the :class:`~contracts.spec.Spec` and yields findings (:func:`finding`) whose ``pointer``
points into the spec. Its function name is its stable id: the ``--disable`` value, the config key,
the SARIF rule id and the docs anchor; it is written once, in the ``def``, and the registry
(:mod:`contracts.registry`, shared with the checks) fills it into the rule's findings. Rules never
raise on a defect; they report it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any, NamedTuple

from contracts.findings import Finding
from contracts.registry import Registry, named, summary_of
from contracts.spec import Spec
from contracts.types import Severity

RuleFunction = Callable[[Spec], Iterable[Finding]]


class Rule(NamedTuple):
    """A registered rule. A named tuple: defining a frozen dataclass (code generated and compiled at
    import) costs every lint ~0.5% of its instructions."""

    name: str
    function: RuleFunction
    severity: Severity
    hint: str

    @property
    def summary(self) -> str:
        return summary_of(self.function)


RULES: Registry[Rule] = Registry("lint rule")
RULE_MODULES = (
    "structure",
    "rules.operations",
    "rules.responses",
    "rules.error_codes",
    "rules.schemas",
    "rules.examples",
    "rules.extensions",
)
"""Modules under ``contracts.lint`` that hold the built-in rules (imported on first use)."""


def rule(*, severity: Severity = "error", hint: str = "") -> Callable[[RuleFunction], RuleFunction]:
    """Register the decorated function as a lint rule named after it."""

    def register(function: RuleFunction) -> RuleFunction:
        RULES.register(Rule(function.__name__, function, severity, hint))
        return function

    return register


def unregister(name: str) -> None:
    """Remove a rule (for tests, and for users replacing a built-in rule)."""
    RULES.unregister(name)


def load_rules() -> Registry[Rule]:
    """The registry, with the built-in rules imported."""
    for module in RULE_MODULES:
        importlib.import_module(f"contracts.lint.{module}")
    return RULES


def finding(*args: str, **kw: Any) -> Finding:
    """A lint finding ``finding(message, pointer)``: ``pointer`` and ``spec_pointer`` both point into the
    spec, and the registry fills in the rule's name. (The older ``finding(name, message, pointer)``
    still works, for rules written before the registry filled names in.)"""
    *name, message, pointer = args
    return Finding(name[0] if name else "", message, pointer=pointer, spec_pointer=pointer, **kw)


def iter_findings(
    spec: Spec, *, disable: Iterable[str] = (), severity: Mapping[str, Severity] | None = None
) -> Iterator[Finding]:
    """Every finding of every enabled rule, with the rule's (or the configured) severity and hint."""
    rules = load_rules()
    overrides = dict(severity or {})
    rules.known([*disable, *overrides])
    disabled = set(disable)
    for rl in rules.values():
        if rl.name in disabled:
            continue
        level = overrides.get(rl.name, rl.severity)
        for found in _guarded(rl, spec):
            yield replace(
                found, severity=level, extra={**found.extra, "hint": found.extra.get("hint", rl.hint)}
            )


def _guarded(rl: Rule, spec: Spec) -> Iterator[Finding]:
    """A rule's findings; a rule the document breaks (e.g. a dangling $ref) reports that instead."""
    try:
        yield from named(rl.name, rl.function(spec))
    except Exception as exc:  # noqa: BLE001 - a broken document must not crash the linter
        reason = str(exc).splitlines()[0][:200] if str(exc) else exc.__class__.__name__
        where = reason.split(": ", 1)[0] if reason.startswith("/") else ""  # SpecError names its pointer
        yield finding(
            rl.name,  # a finding of the rule, not of the guard
            f"could not be checked: {reason}",
            where,
            extra={"hint": "fix this first, then lint again"},
        )
