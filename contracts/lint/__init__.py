"""The spec linter: one small function per house rule, registered with :func:`rule`.

A rule takes the :class:`~contracts.spec.Spec` and yields findings whose ``pointer`` points into
the spec. Its function name is its stable id: the ``--disable`` value, the config key, the SARIF
rule id and the docs anchor. Rules never raise on a defect; they report it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from contracts.errors import UsageError, did_you_mean
from contracts.findings import Finding
from contracts.spec import Spec
from contracts.types import Severity

RuleFunction = Callable[[Spec], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    name: str
    function: RuleFunction
    severity: Severity
    hint: str

    @property
    def summary(self) -> str:
        doc = (self.function.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""


RULES: dict[str, Rule] = {}
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
        if function.__name__ in RULES and RULES[function.__name__].function.__module__ != function.__module__:
            raise ValueError(f"lint rule {function.__name__!r} is already registered")
        RULES[function.__name__] = Rule(function.__name__, function, severity, hint)
        return function

    return register


def unregister(name: str) -> None:
    """Remove a rule (for tests, and for users replacing a built-in rule)."""
    RULES.pop(name, None)


def load_rules() -> dict[str, Rule]:
    """The registry, with the built-in rules imported."""
    for module in RULE_MODULES:
        importlib.import_module(f"contracts.lint.{module}")
    return RULES


def finding(name: str, message: str, pointer: str, **kw: object) -> Finding:
    """A lint finding: ``pointer`` and ``spec_pointer`` both point into the spec."""
    return Finding(name, message, pointer=pointer, spec_pointer=pointer, **kw)  # type: ignore[arg-type]


def iter_findings(
    spec: Spec, *, disable: Iterable[str] = (), severity: Mapping[str, Severity] | None = None
) -> Iterator[Finding]:
    """Every finding of every enabled rule, with the rule's (or the configured) severity and hint."""
    rules = load_rules()
    overrides = dict(severity or {})
    for name in (*disable, *overrides):
        if name not in rules:
            raise UsageError(f"unknown lint rule {name!r}", hint=did_you_mean(name, rules))
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
        yield from rl.function(spec)
    except Exception as exc:  # noqa: BLE001 - a broken document must not crash the linter
        reason = str(exc).splitlines()[0][:200] if str(exc) else exc.__class__.__name__
        where = reason.split(": ", 1)[0] if reason.startswith("/") else ""  # SpecError names its pointer
        yield finding(
            rl.name,
            f"could not be checked: {reason}",
            where,
            extra={"hint": "fix this first, then lint again"},
        )
