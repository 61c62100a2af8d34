"""Run the check registry over captured responses, offline: the openapi-core-like trio.

``iter_findings`` yields every finding, ``validate`` raises on the first error, and
``validate_exchange`` returns a :class:`~contracts.findings.Result`. Files are read here too
(a saved body or a HAR capture), so ``contracts validate`` stays a thin shell.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts import checks
from contracts.checks._schemas import plan
from contracts.errors import UsageError
from contracts.exchange import Exchange
from contracts.findings import Finding, FindingsError, Result
from contracts.har import MAX_BODY_DEPTH, Unmatched, check_depth, entry_item, exchanges, is_har
from contracts.spec import Spec, depth_exceeds, read_bounded, shape_problem


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


Judged = Unmatched | list[Finding]
"""What one entry came to: no operation serves it, or its findings."""


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

    def add(self, index: int, judged: Judged) -> None:
        """What entry ``index`` came to, recorded."""
        if isinstance(judged, Unmatched):
            self.unmatched.append(judged)
            return
        self.exchanges += 1
        if judged:
            name = self.name
            self.located.extend((f"{name}#{index}", f) for f in judged)


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
    return read_bounded(
        path,
        MAX_FILE_BYTES,
        UsageError,
        what="capture",
        name=display_name(path),
        handle=sys.stdin.buffer if path == STDIN else None,
    )


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def read_json(path: Path) -> Any:
    """The parsed file (``-``: standard input), or a one-line UsageError naming file:line:col."""
    return parse_json(display_name(path), _read_bytes(path))


def parse_json(name: str, data: bytes) -> Any:
    """``data`` parsed as one JSON document, or a one-line UsageError naming ``name``:line:col."""
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


def _usage(message: str, hint: str | None) -> UsageError:
    return UsageError(message, hint=hint)


_JUDGE: Callable[[Exchange], list[Finding]] | None = None
"""The judge of the stream being validated, inherited by forked workers (closures do not pickle)."""
_SPEC: Spec | None = None
_SOURCE: tuple[int, int] | None = None
"""The regular file the stream reads (descriptor, offset of its first byte): workers read the
pieces handed to them by offset."""
CHUNK = 256
"""Entries per task sent to a worker process."""
CHUNK_BYTES = 1024 * 1024
"""Bytes per task at most (a chunk also ends here): the pieces in flight stay bounded in memory."""


@dataclass
class _Outcome:
    """What a chunk came to, sparse (most entries have no finding): how many entries were judged,
    the findings by entry index, the unmatched entries, and what stopped it, if anything:
    ``("usage", message, hint)`` (an entry that cannot be judged) or ``("split", position)`` (a
    piece that is not one JSON value)."""

    exchanges: int = 0
    located: list[tuple[int, list[Finding]]] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    error: tuple[Any, ...] | None = None


class _Resplit(Exception):
    """A worker found a piece that is not one JSON value: read again from its first byte, exactly."""

    def __init__(self, index: int, start: int) -> None:
        super().__init__(index, start)
        self.index, self.start = index, start


class _Broken(Exception):
    """The input itself broke (not an entry judged): raised once the entries before it are merged."""

    def __init__(self, error: UsageError) -> None:
        super().__init__(error)
        self.error = error


def _reading(entries: Iterator[Any]) -> Iterator[Any]:
    """``entries``, a UsageError of reading them wrapped (:class:`_Broken`), told apart from the
    UsageError of judging one."""
    while True:
        try:
            entry = next(entries)
        except StopIteration:
            return
        except UsageError as exc:
            raise _Broken(exc) from None
        yield entry


def _judge_entry(spec: Spec, index: int, entry: Any, judge: Callable[[Exchange], list[Finding]]) -> Judged:
    """Entry ``index`` matched and judged (a UsageError when it cannot be judged)."""
    item = entry_item(spec, index, entry)
    if isinstance(item, Unmatched):
        return item
    if not _depth_known(spec, item, judge):
        check_depth(index, item)
    return judge(item)


def _depth_known(spec: Spec, item: Exchange, judge: Callable[[Exchange], list[Finding]]) -> bool:
    """True when the closed validator, which ``judge``'s checks ask about the body anyway, accepts it
    and its schema bounds how deep it nests (:meth:`ResponsePlan.within_depth
    <contracts.checks._schemas.ResponsePlan.within_depth>`): the level walk is not needed."""
    if not (isinstance(judge, SideJudge) and judge.closes_bodies):
        return False
    documented = plan(spec.operation(item.operation), item.status)
    return documented is not None and documented.within_depth(item)


def _judge_chunk(chunk: list[tuple[int, Any]]) -> _Outcome:
    """In a worker: each entry of ``chunk`` (a :class:`Raw` is read and parsed here) judged, up to the
    first that cannot be judged or is not one JSON value."""
    from contracts.har_stream import Raw, load_pieces, parse_raw

    assert _JUDGE is not None and _SPEC is not None
    if _SOURCE is not None:
        load_pieces([e for _, e in chunk if isinstance(e, Raw) and e.data is None], _SOURCE)
    outcome = _Outcome()
    for position, (index, entry) in enumerate(chunk):
        if isinstance(entry, Raw):
            try:
                entry = parse_raw(entry)
            except (ValueError, UnicodeDecodeError, RecursionError):  # orjson's error is a ValueError
                outcome.error = ("split", position)
                return outcome
        try:
            found = _judge_entry(_SPEC, index, entry, _JUDGE)
        except UsageError as exc:
            outcome.error = ("usage", exc.message, exc.hint)
            return outcome
        if isinstance(found, Unmatched):
            outcome.unmatched.append(found)
            continue
        outcome.exchanges += 1
        if found:
            outcome.located.append((index, found))
    return outcome


def _merge(report: FileReport, chunk: list[tuple[int, Any]], outcome: _Outcome) -> None:
    report.exchanges += outcome.exchanges
    report.unmatched.extend(outcome.unmatched)
    name = report.name
    report.located.extend((f"{name}#{index}", f) for index, found in outcome.located for f in found)
    error = outcome.error
    if error is None:
        return
    if error[0] == "split":
        index, raw = chunk[error[1]]
        raise _Resplit(index, raw.start)
    raise _usage(error[1], error[2])


def _pool(jobs: int) -> Any:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))


def judge_stream(
    spec: Spec,
    path: Path,
    entries: Iterable[Any],
    judge: Callable[[Exchange], list[Finding]],
    *,
    jobs: int = 1,
    chunk: int = CHUNK,
) -> FileReport:
    """Every entry of ``entries`` matched to its operation and judged by ``judge``, in input order.

    With ``jobs`` > 1, chunks of entries are judged by that many forked worker processes (at most
    ``2 * jobs`` chunks in flight, so memory stays bounded) and merged back in input order: the
    report, and the first entry that cannot be judged, are those of ``jobs=1``. Given an
    :class:`~contracts.har_stream.EntryStream` in raw mode, the workers also parse and match the
    entries (this process only finds where each ends); a piece that is not one JSON value sends the
    stream back to read it exactly, the later chunks' results dropped. An input shorter than one
    chunk is judged here, without starting workers.
    """
    import sys as _sys
    from collections import deque

    from contracts.har_stream import EntryStream, Raw

    global _JUDGE, _SPEC, _SOURCE
    report = FileReport(path, har=True)
    parallel = jobs > 1 and _sys.platform != "win32"
    stream = entries if isinstance(entries, EntryStream) else None
    batch: list[tuple[int, Any]] = []
    size = 0
    pending: deque[tuple[list[tuple[int, Any]], Any]] = deque()
    pool: Any = None

    held: int | None = None

    def keep() -> None:
        """Keep the input's bytes from the first piece not yet merged (a rewind reads them)."""
        nonlocal held
        held = next(
            (e.start for c in [*(p[0] for p in pending), batch] for _, e in c if isinstance(e, Raw)), None
        )
        if stream is not None:
            stream.hold(held)

    def drain(left: int) -> None:
        while len(pending) > left:
            done, future = pending.popleft()
            _merge(report, done, future.result())
            keep()

    def last(batch: list[tuple[int, Any]]) -> None:
        """The last chunk judged here while the workers finish theirs, merged after them."""
        outcome = _judge_chunk(batch)
        drain(0)
        _merge(report, batch, outcome)

    _JUDGE, _SPEC, _SOURCE = judge, spec, stream.source if stream is not None else None
    iterator = iter(entries)
    index = 0
    try:
        while True:
            try:
                try:
                    for entry in _reading(iterator):
                        if not parallel:
                            if isinstance(entry, Raw):  # raw pieces without workers (no fork): parsed here
                                _merge(report, [(index, entry)], _judge_chunk([(index, entry)]))
                            else:  # an entry judged in place: no chunk, no outcome to merge
                                report.add(index, _judge_entry(spec, index, entry, judge))
                            index += 1
                            continue
                        batch.append((index, entry))
                        index += 1
                        size += entry.end - entry.start if isinstance(entry, Raw) else 0
                        if held is None and isinstance(entry, Raw):
                            keep()
                        if len(batch) < chunk and size < CHUNK_BYTES:
                            continue
                        if pool is None and not report.exchanges and not report.unmatched:
                            # the first chunk judged here: its operations' validators are compiled
                            # once, before the fork, instead of once in every worker
                            _merge(report, batch, _judge_chunk(batch))
                            batch, size = [], 0
                            keep()
                            continue
                        if pool is None:
                            pool = _pool(jobs)
                        pending.append((batch, pool.submit(_judge_chunk, batch)))
                        batch, size = [], 0
                        drain(2 * jobs)
                except _Broken as broken:
                    # the input broke after these entries: judged first, their first defect is the first one
                    last(batch)
                    raise broken.error from None
                last(batch)
                break
            except _Resplit as split:
                # a wrong boundary (or a value orjson refuses): read again from that entry, exactly
                for _, future in pending:
                    future.cancel()
                pending.clear()
                batch, size = [], 0
                keep()
                assert stream is not None
                stream.rewind(split.start)
                iterator = iter(stream)
                index = split.index
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if stream is not None:
            stream.hold(None)
        _JUDGE = _SPEC = _SOURCE = None
    return report


def judge_har(
    spec: Spec, path: Path, document: Any, judge: Callable[[Exchange], list[Finding]]
) -> FileReport:
    """Every entry of a HAR document matched to its operation and judged by ``judge``, in order."""
    report = FileReport(path, har=True)
    for index, item in enumerate(exchanges(spec, document)):
        report.add(index, item if isinstance(item, Unmatched) else judge(item))
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


INPUT_FORMATS = ("auto", "har", "ndjson", "json")
"""``--input-format``: ``auto`` tells them apart by extension (``.ndjson``, ``.jsonl``) and content."""
NDJSON_SUFFIXES = (".ndjson", ".jsonl")


def default_jobs() -> int:
    """All the cores this process may run on."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _input_kind(path: Path, head: bytes, input_format: str) -> str:
    from contracts.har_stream import looks_like_har, looks_like_ndjson

    if input_format != "auto":
        return input_format
    if path.suffix.lower() in NDJSON_SUFFIXES:
        return "ndjson"
    if looks_like_har(head):
        return "har"
    return "ndjson" if looks_like_ndjson(head) else "json"


class SideJudge:
    """The judge of ``contracts validate``: the request side and/or the selected response checks of
    one exchange (a plain class, not a closure: forked workers inherit it, and
    :func:`_judge_entry` asks it :attr:`closes_bodies`)."""

    __slots__ = ("closes_bodies", "judge_request", "request", "response", "selected", "spec")

    def __init__(self, spec: Spec, side: str, names: Sequence[str] | None) -> None:
        from contracts.request_validation import SIDE_REQUEST, SIDE_RESPONSE, judge_exchange, sides

        chosen = sides(side)
        self.spec = spec
        self.judge_request = judge_exchange  # imported once, not per exchange
        self.selected = tuple(checks.select(names))
        self.request, self.response = SIDE_REQUEST in chosen, SIDE_RESPONSE in chosen
        self.closes_bodies = self.response and any(checks.asks_body_facts(c) for c in self.selected)
        """Whether the closed validator's verdict of a JSON body is worked out for the checks anyway."""

    def __call__(self, item: Exchange) -> list[Finding]:
        found = self.judge_request(self.spec, item) if self.request else []
        if self.response:
            answered = list(checks.iter_findings(self.spec, item, self.selected))
            found += answered if len(answered) < 2 else Result.of(answered).findings
        return found


def _open(path: Path) -> Any:
    name = display_name(path)
    if path == STDIN:
        return sys.stdin.buffer
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise UsageError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{name}: is a directory, not a file") from None
    except OSError as exc:
        raise UsageError(f"{name}: cannot read ({exc.strerror or exc.__class__.__name__})") from None


def _identity(handle: Any) -> tuple[int, int] | None:
    """(size, mtime) of a regular file being read, None for a pipe."""
    from contracts.har_stream import _regular_fd

    fd = _regular_fd(handle)
    if fd is None:
        return None
    found = os.fstat(fd)
    return found.st_size, found.st_mtime_ns


def _changed(error: UsageError, handle: Any, before: tuple[int, int] | None) -> UsageError:
    """``error``, saying so when the file was written while it was read: a capture truncated or
    still growing reads as malformed where it was cut, which would send its user looking for a
    defect that the file, read again, does not have."""
    now = _identity(handle)
    if before is None or now is None or now == before:
        return error
    sizes = f"{before[0]:,} -> {now[0]:,} bytes" if now[0] != before[0] else "modified"
    hint = f"the file changed while it was read ({sizes}); judge a copy that is not being written"
    return UsageError(error.message, hint=f"{error.hint}; {hint}" if error.hint else hint)


def validate_input(
    spec: Spec,
    path: Path,
    *,
    operation: str | None,
    status: int | None,
    names: Sequence[str] | None = None,
    side: str = "both",
    request: bool = False,
    jobs: int = 1,
    input_format: str = "auto",
) -> FileReport:
    """``contracts validate`` on one input: a HAR or NDJSON capture streamed entry by entry (the
    request and/or response side of each, over ``jobs`` processes), a saved response body, or with
    ``request`` a saved request body. A HAR streamed by ``contracts proxy --record`` and cut short is
    judged up to its last complete entry."""
    from contracts.har_stream import BLOCK, EntryStream
    from contracts.request_validation import SIDE_REQUEST, judge_body

    name = display_name(path)
    if request:
        if operation is None:
            raise UsageError(f"{path}: a saved request body needs --operation")
        found = judge_body(spec, operation, read_json(path))
        return FileReport(path, exchanges=1, located=[(str(path), f) for f in found])
    handle = _open(path)
    before = _identity(handle)
    try:
        try:
            head = handle.read(BLOCK)
        except OSError as exc:
            raise UsageError(f"{name}: cannot read ({exc.strerror or exc.__class__.__name__})") from None
        kind = _input_kind(path, head, input_format)
        if kind != "json":
            stream = EntryStream(handle, name, ndjson=kind == "ndjson", head=head, raw=jobs > 1)
            try:
                report = judge_stream(spec, path, stream, SideJudge(spec, side, names), jobs=jobs)
            except UsageError as exc:
                raise _changed(exc, handle, before) from None
            if stream.dropped:
                cut = report.exchanges + len(report.unmatched)
                report.unmatched.append(
                    Unmatched(cut, "-", "-", "was cut short by a stop mid-write and is left out")
                )
            return report
        rest = handle.read(MAX_FILE_BYTES + 1 - len(head))
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()
    data = head + rest
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(
            f"{name}: larger than {MAX_FILE_BYTES // 1024 // 1024} MB, not a body this tool reads"
        )
    document = parse_json(name, data)
    if is_har(document):  # a HAR whose log is not its first member: read whole, as it must be
        return judge_har(spec, path, document, SideJudge(spec, side, names))
    if side == SIDE_REQUEST:
        raise UsageError(f"{path}: a saved body is judged as a response; use --request for a request body")
    return validate_file(spec, path, operation=operation, status=status, names=names, document=document)
