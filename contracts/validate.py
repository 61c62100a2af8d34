"""Run the check registry over captured responses, offline: the openapi-core-like trio.

``iter_findings`` yields every finding, ``validate`` raises on the first error, and
``validate_exchange`` returns a :class:`~contracts.findings.Result`. Files are read here too
(a saved body or a HAR capture), so ``contracts validate`` stays a thin shell.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts import checks
from contracts.errors import UsageError
from contracts.exchange import Exchange
from contracts.findings import Finding, FindingsError, Result
from contracts.har import MAX_BODY_DEPTH, Unmatched, exchanges, is_har
from contracts.spec import Spec, depth_exceeds, shape_problem


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


MAX_FILE_BYTES = 256 * 1024 * 1024
"""A larger capture is refused before it is read into memory."""
STDIN = Path("-")
UNREAD: Any = object()
"""``validate_file(document=...)`` not given: the file is read."""
"""``-`` names standard input, as everywhere on the command line."""


@dataclass
class FileReport:
    """What validating one file found: (source, finding) pairs, the source naming a HAR entry."""

    path: Path
    exchanges: int = 0
    located: list[tuple[str, Finding]] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    har: bool = False

    @property
    def name(self) -> str:
        return display_name(self.path)

    @property
    def findings(self) -> list[Finding]:
        return [f for _, f in self.located]


@dataclass
class Fact:
    """One defect of one response as printed: the first finding at its place, and the other checks
    that reported the same place (``{}`` missing ``data``: envelope_shape *and* data_iff_success)."""

    source: str
    finding: Finding
    also: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {"file": self.source, **self.finding.to_dict()}
        if self.also:
            row["also"] = [{"check": f.check, "message": f.message} for f in self.also]
        return row


def facts(located: Iterable[tuple[str, Finding]]) -> list[Fact]:
    """Findings merged per (source, operation, status, pointer), in order of arrival."""
    merged: dict[tuple[str, str | None, int | None, str], Fact] = {}
    for source, finding in located:
        key = (source, finding.operation, finding.status, finding.pointer)
        if key in merged:
            if finding.check != merged[key].finding.check:
                merged[key].also.append(finding)
            continue
        merged[key] = Fact(source, finding)
    return list(merged.values())


def display_name(path: Path) -> str:
    return "<stdin>" if path == STDIN else str(path)


def _read_bytes(path: Path) -> bytes:
    name = display_name(path)
    try:
        if path == STDIN:
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with path.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{name}: is a directory, not a file") from None
    except OSError as exc:
        raise UsageError(f"{name}: cannot read ({exc.strerror or exc.__class__.__name__})") from None
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(
            f"{name}: larger than {MAX_FILE_BYTES // 1024 // 1024} MB, not a capture this tool reads"
        )
    return data


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def read_json(path: Path) -> Any:
    """The parsed file (``-``: standard input), or a one-line UsageError naming file:line:col."""
    name = display_name(path)
    data = _read_bytes(path)
    if not data.strip():
        raise UsageError(f"{name}: empty file", hint="expected a JSON response body or a HAR capture")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{name}: not UTF-8 (invalid byte at offset {exc.start})") from None
    try:
        document = json.loads(text, parse_constant=_not_json)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{name}:{exc.lineno}:{exc.colno}: malformed JSON ({exc.msg})") from None
    except ValueError as exc:  # NaN, Infinity: Python reads them, JSON has no such values
        raise UsageError(f"{name}: malformed JSON ({exc})") from None
    except RecursionError:
        raise UsageError(
            f"{name}: nested deeper than {MAX_BODY_DEPTH} levels, not a body this tool judges"
        ) from None
    problem = shape_problem(document, MAX_BODY_DEPTH + 8)  # a HAR wraps bodies a few levels down
    if problem:
        raise UsageError(f"{name}: {problem}, not a body this tool judges")
    return document


def judge_har(
    spec: Spec, path: Path, document: Any, judge: Callable[[Exchange], list[Finding]]
) -> FileReport:
    """Every entry of a HAR document matched to its operation and judged by ``judge``, in order."""
    report = FileReport(path, har=True)
    for index, item in enumerate(exchanges(spec, document)):
        if isinstance(item, Unmatched):
            report.unmatched.append(item)
            continue
        report.exchanges += 1
        report.located.extend((f"{report.name}#{index}", f) for f in judge(item))
    return report


def validate_file(
    spec: Spec,
    path: Path,
    *,
    operation: str | None,
    status: int | None,
    names: Sequence[str] | None = None,
    document: Any = UNREAD,
) -> FileReport:
    """Validate a saved response body (needs operation and status) or every entry of a HAR file.

    ``document``: the file's content when the caller has already read it (standard input can be
    read only once).
    """
    if document is UNREAD:
        document = read_json(path)
    selected = checks.select(names)
    if is_har(document):
        return judge_har(
            spec, path, document, lambda item: Result.of(checks.iter_findings(spec, item, selected)).findings
        )
    if operation is None or status is None:
        raise UsageError(
            f"{display_name(path)}: a response body needs --operation and --status (only HAR files carry them)"
        )
    if depth_exceeds(document, MAX_BODY_DEPTH):
        raise UsageError(
            f"{display_name(path)}: nested deeper than {MAX_BODY_DEPTH} levels, not a body this tool judges"
        )
    exchange = Exchange.from_json(spec.operation(operation).operation_id, status, document)
    found = Result.of(checks.iter_findings(spec, exchange, selected)).findings
    return FileReport(path, exchanges=1, located=[(display_name(path), f) for f in found])
