"""What a run found, as every reporter receives it: :class:`RunResult`, redacted once by :func:`redacted`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from contracts.errors import ExitCode
from contracts.findings import Finding
from contracts.report.coverage import Coverage
from contracts.report.redact import Redactor
from contracts.runner.plan import Plan
from contracts.runner.settings import SKIP_WRITE, RunSettings
from contracts.runner.throttle import Incident
from contracts.runner.verdict import Verdict


@dataclass
class RunResult:
    """Everything the reporters need, already redacted."""

    base_url: str
    settings: RunSettings
    plan: Plan
    findings: list[Finding]
    responses: int
    operations: set[str]
    incidents: list[Incident]
    coverage: Coverage
    verdict_: Verdict = field(default_factory=lambda: Verdict(ExitCode.ERROR, "not run"))
    exercised: dict[str, set[str]] = field(default_factory=dict)
    """Operation id → checks that ran on at least one of its responses."""
    unlisted: int = 0
    """Incidents counted but not listed (past the throttle's cap)."""
    requests: int = 0
    """Requests sent (retries included)."""
    lost: int = 0
    """Requests that got no usable answer."""
    cleaned: list[str] = field(default_factory=list)
    auth: str = "none"
    duration: float = 0.0
    hint: str | None = None
    targeted: list[dict[str, Any]] = field(default_factory=list)
    """What became of each probe of the targeted phase (:meth:`contracts.runner.targeted.Result.to_dict`)."""

    @property
    def exit_code(self) -> ExitCode:
        return self.verdict_.code

    @property
    def verdict(self) -> str:
        return self.verdict_.label

    @property
    def reason(self) -> str:
        return self.verdict_.reason

    def skipped(self) -> list[dict[str, str]]:
        """Every operation without a judged response, with the reason: the selected ones first."""
        why = "; ".join(self.verdict_.causes)
        unjudged = "selected, but no response was judged" + (f" ({why})" if why else "")
        out = [{"operation": op, "reason": unjudged} for op in self.verdict_.unjudged]
        return out + [{"operation": op.operation_id, "reason": SKIP_WRITE} for op in self.plan.skipped]

    def meta(self) -> dict[str, Any]:
        """Run metadata for every report (no secret: the auth scheme only)."""
        return {
            "base_url": self.base_url,
            "allow_writes": self.settings.allow_writes,
            "allow_incomplete": self.settings.allow_incomplete,
            "strict": self.settings.strict,
            "auth": self.auth,
            "phases": list(self.plan.phases),
            "max_examples": self.settings.max_examples,
            "max_duration": self.settings.max_duration,
            "seed": self.settings.seed,
            "workers": self.settings.workers,
            "checks": self.plan.check_names,
            "operations_planned": [op.operation_id for op in self.plan.operations],
            "operations_skipped": [op.operation_id for op in self.plan.skipped],
        }

    def summary(self) -> dict[str, Any]:
        checks = self.plan.check_names
        judged: dict[str, dict[str, Any]] = {
            op: {
                "responses": self.coverage.responses.get(op, 0),
                "checks": [c for c in checks if c in self.exercised.get(op, set())],
            }
            for op in sorted(self.operations)
        }
        return {
            "verdict": self.verdict,
            "exit_code": int(self.exit_code),
            "reason": self.reason,
            "complete": self.verdict_.complete,
            "warnings": list(self.verdict_.warnings),
            "violations": sum(f.severity == "error" for f in self.findings),
            "warning_findings": sum(f.severity != "error" for f in self.findings),
            "responses": self.responses,
            "requests": self.requests,
            "requests_lost": self.lost,
            "operations_tested": len(self.operations),
            "operations": sorted(self.operations),
            "operations_planned": len(self.plan.operations),
            "operations_unjudged": list(self.verdict_.unjudged),
            "operations_skipped": self.skipped(),
            "operations_judged": judged,
            "checks_exercised": sum(len(j["checks"]) for j in judged.values()),
            "checks_possible": len(self.plan.operations) * len(checks),
            "duration_seconds": round(self.duration, 1),
            "infrastructure": [i.to_dict() for i in self.incidents],
            "infrastructure_unlisted": self.unlisted,
            "cleaned_up": self.cleaned,
            "coverage_gate": list(self.verdict_.gate),
            "targeted": self._targeted(),
        }

    def _targeted(self) -> dict[str, Any]:
        states: dict[str, int] = {}
        for probe in self.targeted:
            states[probe["state"]] = states.get(probe["state"], 0) + 1
        return {
            "probes": len(self.targeted),
            "states": dict(sorted(states.items())),
            "results": self.targeted,
        }


def redacted(result: RunResult, redactor: Redactor) -> RunResult:
    """The single redaction pass: nothing a reporter receives can hold a credential."""
    verdict = result.verdict_
    return dataclasses.replace(
        result,
        base_url=redactor.text(result.base_url),
        findings=[redactor.finding(f) for f in result.findings],
        incidents=[dataclasses.replace(i, message=redactor.text(i.message)) for i in result.incidents],
        verdict_=dataclasses.replace(
            verdict,
            reason=redactor.text(verdict.reason),
            warnings=tuple(redactor.text(w) for w in verdict.warnings),
            causes=tuple(redactor.text(c) for c in verdict.causes),
            gate=tuple(redactor.text(g) for g in verdict.gate),
        ),
        targeted=[redactor.data(t) for t in result.targeted],
        cleaned=[redactor.text(c) for c in result.cleaned],
        hint=redactor.text(result.hint) if result.hint else None,
    )
