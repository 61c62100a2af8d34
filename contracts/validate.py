"""Run the check registry over captured responses, offline: the openapi-core-like trio.

``iter_findings`` yields every finding, ``validate`` raises on the first error, and
``validate_exchange`` returns a :class:`~contracts.findings.Result`. Files are read here too
(a saved body or a HAR capture), so ``contracts validate`` stays a thin shell.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts import checks
from contracts.errors import UsageError
from contracts.exchange import Exchange
from contracts.findings import Finding, FindingsError, Result
from contracts.har import Unmatched, exchanges, is_har
from contracts.spec import Spec


def iter_findings(spec: Spec, exchange: Exchange, names: Iterable[str] | None = None) -> Iterator[Finding]:
    """Every finding of the selected checks (all by default) on one exchange."""
    yield from checks.iter_findings(spec, exchange, checks.select(names))


def validate_exchange(spec: Spec, exchange: Exchange, names: Iterable[str] | None = None) -> Result:
    """All findings on one exchange, de-duplicated; ``.ok`` and ``.raise_for_findings()`` on top."""
    return Result.of(iter_findings(spec, exchange, names))


def validate(spec: Spec, exchange: Exchange, names: Iterable[str] | None = None) -> None:
    """Raise :class:`FindingsError` on the first error-severity finding."""
    for finding in iter_findings(spec, exchange, names):
        if finding.severity == "error":
            raise FindingsError([finding])


@dataclass
class FileReport:
    """What validating one file found: (source, finding) pairs, the source naming a HAR entry."""

    path: Path
    exchanges: int = 0
    located: list[tuple[str, Finding]] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    har: bool = False

    @property
    def findings(self) -> list[Finding]:
        return [f for _, f in self.located]


def read_json(path: Path) -> Any:
    """The parsed file, or a one-line UsageError naming file:line:col."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read ({exc.__class__.__name__})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}:{exc.colno}: malformed JSON ({exc.msg})") from None


def validate_file(
    spec: Spec,
    path: Path,
    *,
    operation: str | None,
    status: int | None,
    names: Sequence[str] | None = None,
) -> FileReport:
    """Validate a saved response body (needs operation and status) or every entry of a HAR file."""
    document = read_json(path)
    selected = checks.select(names)
    if is_har(document):
        report = FileReport(path, har=True)
        for index, item in enumerate(exchanges(spec, document)):
            if isinstance(item, Unmatched):
                report.unmatched.append(item)
                continue
            report.exchanges += 1
            found = Result.of(checks.iter_findings(spec, item, selected)).findings
            report.located.extend((f"{path}#{index}", f) for f in found)
        return report
    if operation is None or status is None:
        raise UsageError(
            f"{path}: a response body needs --operation and --status (only HAR files carry them)"
        )
    exchange = Exchange.from_json(spec.operation(operation).operation_id, status, document)
    found = Result.of(checks.iter_findings(spec, exchange, selected)).findings
    return FileReport(path, exchanges=1, located=[(str(path), f) for f in found])
