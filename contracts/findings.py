"""What a check or lint rule reports: a :class:`Finding`, never an exception."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from contracts.types import JSON, Pointer, Severity

SEVERITY_ORDER: dict[Severity, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Finding:
    """One violation: which check, where in the response, where in the spec, expected vs actual."""

    check: str
    message: str
    operation: str | None = None
    pointer: Pointer = ""
    """JSON pointer into the response body (or, for lint, into the spec)."""
    spec_pointer: Pointer = ""
    """JSON pointer into ``spec/v3.json`` of the rule that was broken."""
    severity: Severity = "error"
    expected: JSON = None
    actual: JSON = None
    status: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> tuple[str, str | None, Pointer, Pointer]:
        """De-duplication key: one finding per (check, operation, spec pointer, response pointer)."""
        return (self.check, self.operation, self.spec_pointer, self.pointer)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if not data["extra"]:
            del data["extra"]
        return data


class FindingsError(AssertionError):
    """Raised by :meth:`Result.raise_for_findings`; carries every finding."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        lines = [f"{f.check}: {f.operation or '-'} {f.pointer or '/'}: {f.message}" for f in findings]
        super().__init__(f"{len(findings)} contract violation(s):\n" + "\n".join(lines))


@dataclass
class Result:
    """All findings for one or more exchanges, de-duplicated in order of arrival."""

    findings: list[Finding] = field(default_factory=list)

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Result:
        return cls(list(dedupe(findings)))

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def raise_for_findings(self) -> None:
        errors = [f for f in self.findings if f.severity == "error"]
        if errors:
            raise FindingsError(errors)


def dedupe(findings: Iterable[Finding]) -> Iterator[Finding]:
    seen: set[tuple[str, str | None, Pointer, Pointer]] = set()
    for finding in findings:
        if finding.key not in seen:
            seen.add(finding.key)
            yield finding
