"""What a run will do, decided before any request leaves: operations, phases, checks, expectations.

Everything comes from the settings and the spec. The statuses schemathesis accepts for negative
and positive data are the ones the spec documents for each operation, so a documented
``400``/``300004`` in answer to a schema-violating request is the contract being kept, not a
false positive. Without ``--allow-writes`` only read operations are planned and schemathesis's
probes with undocumented methods are limited to read methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from contracts import checks
from contracts.errors import UsageError, did_you_mean
from contracts.spec import READ_METHODS, Operation, Spec

if TYPE_CHECKING:
    from contracts.runner import RunSettings

SCHEMATHESIS_PHASES = ("examples", "coverage", "fuzzing", "stateful")
PHASES = (*SCHEMATHESIS_PHASES, "targeted")
"""``targeted`` (ours, :mod:`contracts.runner.targeted`) runs after schemathesis's."""
BUILTIN_PREFIX = "schemathesis."
"""schemathesis's own checks are named ``schemathesis.<name>`` beside ours (both have a
``response_schema_conformance``), in ``--checks`` and in every report."""
BUILTIN_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
    "use_after_free",
    "ensure_resource_availability",
    "missing_required_header",
    "ignored_auth",
    "object_level_authorization",
    "unsupported_method",
    "allow_header_conformance",
)
WRITING_CHECKS = frozenset({"unsupported_method"})
"""Built-in checks that send undocumented (possibly writing) methods: off without --allow-writes."""
DEFAULT_REMOTE_RATE = 2.0
"""Requests per second against anything but loopback unless --rate-limit says otherwise."""


@dataclass(frozen=True)
class Expectation:
    """Statuses schemathesis accepts for one operation, from its documented responses."""

    negative: tuple[str, ...]
    positive: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    operations: tuple[Operation, ...]
    skipped: tuple[Operation, ...]
    """Operations left out (writes in a read-only run)."""
    phases: tuple[str, ...]
    ours: tuple[checks.Check, ...]
    builtins: tuple[str, ...]
    expectations: dict[str, Expectation] = field(default_factory=dict)
    unexpected_methods: tuple[str, ...] = ()

    @property
    def check_names(self) -> list[str]:
        return [c.name for c in self.ours] + [BUILTIN_PREFIX + b for b in self.builtins]


def split_checks(names: tuple[str, ...], allow_writes: bool) -> tuple[list[checks.Check], list[str]]:
    """Our checks and schemathesis's built-ins for ``--checks`` (all of both when empty)."""
    usable = [b for b in BUILTIN_CHECKS if allow_writes or b not in WRITING_CHECKS]
    if not names:
        return checks.select(), usable
    ours, builtins = [], []
    known = [c.name for c in checks.select()] + [BUILTIN_PREFIX + b for b in BUILTIN_CHECKS]
    for name in names:
        if name.startswith(BUILTIN_PREFIX):
            bare = name.removeprefix(BUILTIN_PREFIX)
            if bare not in BUILTIN_CHECKS:
                raise UsageError(f"unknown check {name!r}", hint=did_you_mean(name, known))
            if bare not in usable:
                raise UsageError(f"check {name!r} sends write requests", hint="add --allow-writes")
            builtins.append(bare)
        else:
            try:
                ours.extend(checks.select([name]))
            except UsageError:
                raise UsageError(f"unknown check {name!r}", hint=did_you_mean(name, known)) from None
    return ours, builtins


def expectation(op: Operation) -> Expectation:
    documented = [s for s in op.statuses if s[:1].isdigit()]
    rejections = tuple(s for s in documented if s.startswith("4"))
    return Expectation(negative=rejections, positive=("2xx", *rejections))


def make_plan(spec: Spec, settings: RunSettings) -> Plan:
    unknown = [p for p in settings.phases if p not in PHASES]
    if unknown:
        raise UsageError(f"unknown phase {unknown[0]!r}", hint=did_you_mean(unknown[0], PHASES))
    if not settings.phases:
        raise UsageError("no phase to run", hint=f"choose from {', '.join(PHASES)}")
    chosen = [op for op in spec.operations if settings.allow_writes or op.method in READ_METHODS]
    skipped = [op for op in spec.operations if op not in chosen]
    if not chosen:
        raise UsageError("no operation to test", hint="a read-only run skips writes; add --allow-writes")
    ours, builtins = split_checks(settings.checks, settings.allow_writes)
    methods = ("get", "put", "post", "delete", "options", "patch", "trace")
    unexpected = methods if settings.allow_writes else tuple(m for m in methods if m.upper() in READ_METHODS)
    return Plan(
        operations=tuple(chosen),
        skipped=tuple(skipped),
        phases=tuple(p for p in PHASES if p in settings.phases),
        ours=tuple(ours),
        builtins=tuple(builtins),
        expectations={op.operation_id: expectation(op) for op in chosen},
        unexpected_methods=unexpected,
    )
