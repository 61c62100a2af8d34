"""HAR entries read one at a time, so a capture of any size is judged in bounded memory.

Two inputs: a HAR document (``{"log": {"entries": [...]}}``) read through a window of at most
:data:`MAX_ENTRY_BYTES` beyond the entry being parsed, and NDJSON (one HAR entry object per line),
for gateway logs that are not HAR. Each entry is parsed once, by orjson: the end of the next entry
is guessed from the separator seen between the first two (``}, {"startedDateTime"``), and a guess
is right exactly when the slice parses (a JSON object is prefix-free). When no guess fits, orjson's
"content after document" position gives the end. Documents orjson refuses but JSON allows
(integers beyond 64 bits, lone surrogates) go to the standard library. Broken input is one
:class:`UsageError` naming the file and the line:column or the entry.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Generator, Iterator
from typing import IO, Any

import orjson

from contracts.errors import UsageError
from contracts.har import STREAM_HEAD

MAX_ENTRY_BYTES = 32 * 1024 * 1024
"""A larger single entry (or other HAR value) is refused: it would have to be held whole."""
BLOCK = 1024 * 1024
"""Bytes read from the input at a time."""
_HAR_START = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{\s*"log"\s*:\s*\{')
_WS = b" \t\r\n"
_CUT = ("unexpected end of data", "str is not valid UTF-8")
"""orjson's words for a window that ends inside a value: read more before judging."""
_KINDS = {str: "a string", list: "an array", dict: "an object", bool: "a boolean", type(None): "null"}


def _origin(handle: IO[bytes], head: bytes) -> int | None:
    """The offset in ``handle`` where ``head`` (read from it just before) started, if it can seek."""
    try:
        return handle.tell() - len(head) if handle.seekable() else None
    except (OSError, ValueError, AttributeError):
        return None


def _regular_fd(handle: IO[bytes]) -> int | None:
    """The descriptor of ``handle`` when it is a regular file (so any byte of it can be read again
    by offset, by this process or a forked one), else None (a pipe, a terminal)."""
    try:
        fd = handle.fileno()
        return fd if stat.S_ISREG(os.fstat(fd).st_mode) else None
    except (OSError, ValueError, AttributeError):
        return None


def looks_like_har(head: bytes) -> bool:
    """True when the first bytes open a HAR document (``{"log": {``), told apart from a body."""
    return _HAR_START.match(head) is not None


def looks_like_ndjson(head: bytes) -> bool:
    """True when the first line is one complete HAR entry object (and so the input is NDJSON)."""
    line = head.split(b"\n", 1)[0].strip()
    try:
        first = orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return isinstance(first, dict) and "request" in first and "response" in first


def _kind(value: Any) -> str:
    return _KINDS.get(type(value), "a number")


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _stdlib(text: str) -> tuple[Any, int]:
    """The first JSON value of ``text`` and the character after it (the standard library's reading)."""
    return json.JSONDecoder(parse_constant=_not_json).raw_decode(text)


def _status_is_float(entry: dict[str, Any]) -> bool:
    """orjson reads an integer beyond 64 bits as a float: the status must be read exactly."""
    response = entry.get("response")
    return isinstance(response, dict) and isinstance(response.get("status"), float)


class _Window:
    """A bounded window over a binary stream: ``buf[pos:]`` is what is not yet consumed."""

    def __init__(self, handle: IO[bytes], name: str, head: bytes = b"") -> None:
        self.handle, self.name = handle, name
        self.buf, self.pos, self.eof = head, 0, False
        self.dropped = 0  # bytes dropped from the front of buf
        self._lines = 0  # newlines in the first ``_counted`` dropped bytes
        self._counted = 0
        self.keep: int | None = None
        """An absolute offset from which bytes are kept when the window refills (pieces handed to
        workers and not yet judged: :meth:`EntryStream.rewind` may read them again)."""
        self.origin = _origin(handle, head)
        """Where the input started in a seekable handle: the dropped bytes' newlines are counted from
        the file when an error names a line (a count per block costs as much as judging an entry);
        None for a pipe, whose dropped bytes are counted as they are dropped."""

    def fill(self, need: int) -> bool:
        """Make ``need`` bytes available after ``pos`` if the input has them; False at the end."""
        while len(self.buf) - self.pos < need and not self.eof:
            cut = self.pos if self.keep is None else max(0, min(self.pos, self.keep - self.dropped))
            # bytes kept for a rewind are copied at every refill: read a quarter as many at least,
            # so each byte is copied a few times, not once per block, however much is kept
            kept = len(self.buf) - cut
            data = self.handle.read(max(BLOCK, need - (len(self.buf) - self.pos), kept // 4))
            if not data:
                self.eof = True
                break
            if cut:
                if self.origin is None:
                    self._lines += self.buf.count(b"\n", 0, cut)
                    self._counted += cut
                self.dropped += cut
                self.buf = self.buf[cut:] + data
                self.pos -= cut
            else:
                self.buf += data
        return len(self.buf) - self.pos >= need

    def seek(self, at: int) -> None:
        """Read on from absolute offset ``at`` of a seekable input (the buffer is dropped, so nothing
        needs to be kept for a rewind)."""
        assert self.origin is not None
        self.handle.seek(self.origin + at)
        self.buf, self.pos, self.eof, self.dropped = b"", 0, False, at
        self._lines = self._counted = 0  # counted again from the file if an error names a line

    def skip_ws(self) -> int:
        """The next byte that is not whitespace (consumed up to it, not past), or -1 at the end."""
        while True:
            buf, pos = self.buf, self.pos
            while pos < len(buf) and buf[pos] in _WS:
                pos += 1
            self.pos = pos
            if pos < len(buf):
                return buf[pos]
            if not self.fill(1):
                return -1

    @property
    def lines(self) -> int:
        """Newlines in the bytes dropped from the front of buf."""
        if self._counted < self.dropped and self.origin is not None:
            handle = self.handle
            here = handle.tell()
            try:
                handle.seek(self.origin + self._counted)
                while self._counted < self.dropped:
                    data = handle.read(min(BLOCK, self.dropped - self._counted))
                    if not data:
                        break
                    self._lines += data.count(b"\n")
                    self._counted += len(data)
            finally:
                handle.seek(here)
        return self._lines

    def where(self, at: int | None = None) -> str:
        """``name:line:column`` of byte ``at`` of buf (default: the current position)."""
        at = self.pos if at is None else at
        line = self.lines + self.buf.count(b"\n", 0, at) + 1
        column = at - (self.buf.rfind(b"\n", 0, at) + 1) + 1
        return f"{self.name}:{line}:{column}"

    def malformed(self, problem: str, at: int | None = None) -> UsageError:
        return UsageError(f"{self.where(at)}: malformed JSON ({problem})")

    def expect(self, byte: bytes, what: str) -> None:
        if self.skip_ws() != byte[0]:
            found = "end of file" if self.pos >= len(self.buf) else repr(chr(self.buf[self.pos]))
            raise self.malformed(f"expected {what}, found {found}")
        self.pos += 1


class _Values:
    """JSON values parsed one at a time from a :class:`_Window`."""

    def __init__(self, window: _Window) -> None:
        self.w = window
        self.pattern = b""
        """The bytes between two entries plus the start of the next: where an entry likely ends."""
        self.skip = 0
        """Bytes from the start of :attr:`pattern` to the next entry's first byte."""
        self.last = 4096

    def guessed(self) -> tuple[Any, int] | None:
        """The value at pos when the learned separator marks its end, else None."""
        end = self.span()
        return None if end is None else self.parsed(end)

    def parsed(self, end: int) -> tuple[Any, int] | None:
        """(the value from pos to ``end``, ``end``) when those bytes are one value orjson reads, else None."""
        try:
            return orjson.loads(memoryview(self.w.buf)[self.w.pos : end]), end
        except orjson.JSONDecodeError:
            return None

    def span(self) -> int | None:
        """Where the value at pos likely ends (the learned separator), unread; None when unknown."""
        w = self.w
        if not self.pattern:
            return None
        need = 2 * self.last + len(self.pattern)
        if len(w.buf) - w.pos < need:
            w.fill(need)
        found = w.buf.find(self.pattern, w.pos, w.pos + MAX_ENTRY_BYTES)
        if found < 0:
            return None
        self.last = max(found + 1 - w.pos, 256)
        return found + 1

    def value(self, *, guess: bool = True) -> Any:
        """The value at the current position (after whitespace), consumed."""
        w = self.w
        if w.skip_ws() < 0:
            raise w.malformed("unexpected end of file")
        got = self.guessed() if guess else None
        if got is None:
            got = self._windowed()
        value, end = got
        self.last = max(end - w.pos, 256)
        w.pos = end
        return value

    def _windowed(self) -> tuple[Any, int]:
        w = self.w
        size = max(2 * self.last, 65536)
        while True:
            complete = not w.fill(size)
            end = min(len(w.buf), w.pos + size)
            view = memoryview(w.buf)[w.pos : end]
            final = complete or size >= MAX_ENTRY_BYTES
            try:
                return orjson.loads(view), end
            except orjson.JSONDecodeError as exc:
                if exc.msg.startswith("unexpected content after document"):
                    stop = w.pos + self._bytes_before(view, exc.pos)
                    try:
                        return orjson.loads(memoryview(w.buf)[w.pos : stop]), stop
                    except orjson.JSONDecodeError:
                        pass  # not expected: let the standard library say what is wrong
                elif not final and exc.msg.startswith(_CUT):
                    size = min(2 * size, MAX_ENTRY_BYTES)
                    continue
            found = self._by_stdlib(view, final=final)
            if found is not None:
                return found[0], w.pos + found[1]
            if size >= MAX_ENTRY_BYTES:
                raise UsageError(
                    f"{w.where()}: a HAR value larger than {MAX_ENTRY_BYTES // 1024 // 1024} MB, "
                    "not a capture this tool reads"
                )
            size = min(2 * size, MAX_ENTRY_BYTES)

    @staticmethod
    def _bytes_before(view: memoryview, chars: int) -> int:
        """Bytes in ``view`` before character ``chars`` (orjson counts characters)."""
        if view[:chars].tobytes().isascii():
            return chars
        text = view.tobytes().decode("utf-8", "ignore")
        return len(text[:chars].encode("utf-8", "surrogatepass"))

    def _by_stdlib(self, view: memoryview, *, final: bool) -> tuple[Any, int] | None:
        """(value, bytes) as the standard library reads the window; None when more input may help."""
        w = self.w
        raw = view.tobytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if not final and exc.start >= len(raw) - 3:
                text = raw[: exc.start].decode("utf-8", "ignore")
            else:
                raise UsageError(
                    f"{w.name}: not UTF-8 (invalid byte at offset {w.dropped + w.pos + exc.start})"
                ) from None
        try:
            value, chars = _stdlib(text)
        except json.JSONDecodeError as exc:
            if not final:
                return None
            raise w.malformed(
                exc.msg, w.pos + len(text[: exc.pos].encode("utf-8", "surrogatepass"))
            ) from None
        except RecursionError:
            raise UsageError(f"{w.name}: nested too deeply to read, not a capture this tool reads") from None
        except ValueError as exc:  # NaN, Infinity
            raise w.malformed(str(exc)) from None
        return value, len(text[:chars].encode("utf-8", "surrogatepass"))

    def key(self) -> str:
        key = self.value()
        if not isinstance(key, str):
            raise self.w.malformed("expected a property name")
        self.w.expect(b":", "':'")
        return key

    def learn(self, previous_end: int) -> None:
        """Learn the separator from the bytes between the entry ending at ``previous_end`` and pos."""
        w = self.w
        quote = w.buf.find(b'"', w.pos, w.pos + 40)
        if quote > 0 and previous_end > 0:
            self.pattern = w.buf[previous_end - 1 : min(quote + 12, len(w.buf))]
            self.skip = w.pos - (previous_end - 1)


class Raw:
    """An entry's place (bytes ``start:end`` of the input) as found between two separators, not
    parsed: a worker parses (and so checks) it; when it is not one JSON value,
    :meth:`EntryStream.rewind` reads it again exactly. ``data`` holds its bytes when the input is a
    pipe; from a regular file a worker reads them itself (:func:`load_pieces`): only the offsets
    cross the pipe to it."""

    __slots__ = ("data", "end", "start")

    def __init__(self, data: bytes | memoryview | None, start: int, end: int) -> None:
        self.data, self.start, self.end = data, start, end

    def __reduce__(self) -> tuple[Any, tuple[bytes | None, int, int]]:
        data = self.data
        return Raw, (None if data is None else bytes(data), self.start, self.end)


GAP = 64 * 1024
"""Pieces of one chunk fewer bytes apart than this are read by one ``pread``."""


def load_pieces(pieces: list[Raw], source: tuple[int, int]) -> None:
    """Fill the ``data`` of ``pieces`` (in input order, by offset only) from ``source``, the input's
    (descriptor, offset of its first byte): one ``pread`` per run of nearby pieces, each a view of it."""
    fd, origin = source
    run: list[Raw] = []
    for piece in [*pieces, None]:
        if run and (piece is None or piece.start - run[-1].end > GAP):
            first = run[0].start
            view = memoryview(os.pread(fd, run[-1].end - first, origin + first))
            for done in run:
                done.data = view[done.start - first : done.end - first]
            run = []
        if piece is not None:
            run.append(piece)


def parse_raw(raw: Raw) -> Any:
    """The entry of ``raw``; orjson.JSONDecodeError when its bytes are not one JSON value as orjson
    reads it (the caller rewinds the stream to read it exactly: stdlib fallback, line:column)."""
    assert raw.data is not None
    entry = orjson.loads(raw.data)
    if isinstance(entry, dict) and _status_is_float(entry):
        entry = _stdlib(bytes(raw.data).decode("utf-8"))[0]
    return entry


class EntryStream:
    """The entries of a HAR document or an NDJSON input, one parsed object at a time.

    ``dropped`` is set after iteration when a HAR streamed by ``contracts proxy --record`` was cut
    short mid-write: the partial entry is left out instead of refusing the file.

    With ``raw``, an entry whose end the learned separator marks (an NDJSON line: its newline) comes
    as a :class:`Raw`, its bytes unread, for a worker process to parse: the reading process only
    finds boundaries. The first entries, and any entry :meth:`rewind` goes back to, are parsed here.
    From a regular file (``source`` set) a Raw carries only its offsets, and a rewind reads the file
    again; from a pipe it carries its bytes, and the window keeps those of pieces not yet judged
    (:meth:`hold`).
    """

    def __init__(
        self, handle: IO[bytes], name: str, *, ndjson: bool, head: bytes = b"", raw: bool = False
    ) -> None:
        self.window = _Window(handle, name, head)
        self.ndjson = ndjson
        self.raw = raw
        self.dropped = 0
        self._rewind: int | None = None
        self._values = _Values(self.window)
        self._streamed = False
        fd = _regular_fd(handle) if raw else None
        origin = self.window.origin
        self.source = (fd, origin) if fd is not None and origin is not None else None
        """(descriptor, offset of the input's first byte) when pieces are handed over by offset."""

    def __iter__(self) -> Iterator[Any]:
        resume, self._rewind = self._rewind, None
        if resume is not None:
            self.window.pos = resume - self.window.dropped
        return self._lines(resume is not None) if self.ndjson else self._har(resume is not None)

    def hold(self, start: int | None) -> None:
        """Keep the bytes from absolute offset ``start`` on (the first piece not yet judged) until told
        otherwise: a rewind may read them again. A regular file is read again instead."""
        if self.source is None:
            self.window.keep = start

    def rewind(self, start: int) -> None:
        """Make the next ``iter()`` read again from absolute offset ``start`` (a :class:`Raw`'s: still
        in the window, :meth:`hold`, or in the file), that entry parsed exactly, whether or not the
        last iterator ended (at the end of the input or on an error after that entry)."""
        self._rewind = start
        if self.source is not None:
            self.window.seek(start)

    def _lines(self, exact: bool = False) -> Iterator[Any]:
        w = self.window
        number = 0
        while True:
            # read more only when the line does not end in the window: a refill then copies a part
            # of one line, not a block read ahead (a copy of 36 KB a line)
            end = w.buf.find(b"\n", w.pos)
            while end < 0 and not w.eof:
                if len(w.buf) - w.pos > MAX_ENTRY_BYTES:
                    raise UsageError(
                        f"{w.name}:{w.lines + 1}: a line longer than {MAX_ENTRY_BYTES // 1024 // 1024} MB"
                    )
                w.fill(len(w.buf) - w.pos + BLOCK)
                end = w.buf.find(b"\n", w.pos)
            if end < 0:
                if w.pos >= len(w.buf):
                    return
                end = len(w.buf)
            line = memoryview(w.buf)[w.pos : end]
            start, w.pos = w.pos, end + 1
            number += 1
            if (not line or line[0] in _WS) and not line.tobytes().strip():
                continue
            if self.raw and not exact:
                at = w.dropped + start
                yield Raw(None if self.source else line.tobytes(), at, at + len(line))
                continue
            exact = False
            try:
                entry = orjson.loads(line)
            except orjson.JSONDecodeError:
                pass
            else:
                if not (isinstance(entry, dict) and _status_is_float(entry)):
                    yield entry
                    continue
            try:
                text = line.tobytes().decode("utf-8")
                value, chars = _stdlib(text)
                rest = text[chars:].strip()
            except UnicodeDecodeError as exc:
                raise UsageError(
                    f"{w.where(start)}: not UTF-8 (invalid byte at column {exc.start + 1})"
                ) from None
            except json.JSONDecodeError as exc:
                raise UsageError(
                    f"{w.where(start)}: malformed JSON ({exc.msg} at column {exc.colno})"
                ) from None
            except RecursionError:
                raise UsageError(f"{w.where(start)}: nested too deeply to read") from None
            except ValueError as exc:
                raise UsageError(f"{w.where(start)}: malformed JSON ({exc})") from None
            if rest:
                raise UsageError(f"{w.where(start)}: malformed JSON (more than one value on the line)")
            yield value

    def _har(self, resumed: bool = False) -> Iterator[Any]:
        w = self.window
        values = self._values
        if resumed:  # inside log.entries, at an entry: read on from there, then what follows
            if not (yield from self._entries(values, self._streamed, exact=True)):
                return
            yield from self._after_entries(values, first=False, seen_entries=True)
            return
        w.fill(len(STREAM_HEAD) + 2)
        self._streamed = w.buf[: len(STREAM_HEAD)] == STREAM_HEAD.encode()
        if w.buf.startswith(b"\xef\xbb\xbf"):
            w.pos = 3
        w.expect(b"{", "'{'")
        if values.key() != "log":
            raise w.malformed("a HAR document starts with log")
        w.expect(b"{", "'{' (log is an object)")
        yield from self._after_entries(values, first=True, seen_entries=False)

    def _after_entries(self, values: _Values, *, first: bool, seen_entries: bool) -> Iterator[Any]:
        """The members of ``log`` from the current position (entries among them), and the end."""
        w = self.window
        streamed = self._streamed
        while w.skip_ws() != ord("}"):
            if not first:
                w.expect(b",", "',' or '}'")
            first = False
            name = values.key()
            if name != "entries":
                values.value()
                continue
            seen_entries = True
            if w.skip_ws() != ord("["):
                found = values.value()
                raise UsageError(f"HAR log.entries must be an array, not {_kind(found)}")
            w.pos += 1
            if not (yield from self._entries(values, streamed)):
                return  # a recording cut short: what it holds is judged
        w.pos += 1
        if not seen_entries:
            raise UsageError(f"{w.name}: not a HAR file (log has no entries)")
        while w.skip_ws() == ord(","):  # other top-level members than log: read past them
            w.pos += 1
            values.key()
            values.value()
        w.expect(b"}", "'}'")
        if w.skip_ws() >= 0:
            raise w.malformed("content after the document")

    def _entries(self, values: _Values, streamed: bool, *, exact: bool = False) -> Generator[Any, None, bool]:
        """The entries up to ``]`` (True), or up to where a ``--record`` stream was cut (False);
        ``exact``: the first is parsed here even in raw mode (a rewind came back to it)."""
        w = self.window
        if w.skip_ws() == ord("]"):
            w.pos += 1
            return True
        while True:
            start = w.dropped + w.pos
            end = None if exact else values.span()
            if end is not None and self.raw:
                piece = Raw(None if self.source else w.buf[w.pos : end], start, start + end - w.pos)
                w.pos = end - 1 + values.skip  # the separator matched: at the next entry's first byte
                yield piece
                continue
            guessed = None if end is None else values.parsed(end)
            if guessed is not None:  # the separator matched and the entry parses: read on past it
                entry: Any
                entry, end = guessed
                if isinstance(entry, dict) and _status_is_float(entry):
                    entry = _stdlib(w.buf[w.pos : end].decode("utf-8"))[0]
                w.pos = end - 1 + values.skip
                yield entry
                continue
            try:
                entry = values.value(guess=False)
                if isinstance(entry, dict) and _status_is_float(entry):
                    entry = _stdlib(w.buf[start - w.dropped : w.pos].decode("utf-8"))[0]
            except UsageError:
                if not streamed:
                    raise
                self.dropped = 1
                return False
            yield entry
            exact = False
            end, dropped = w.pos, w.dropped
            byte = w.skip_ws()
            if byte == ord("]"):
                w.pos += 1
                return True
            if byte < 0 and streamed:
                return False
            if byte != ord(","):
                raise w.malformed("expected ',' or ']' after a HAR entry")
            w.pos += 1
            if w.skip_ws() < 0:
                if streamed:
                    return False
                raise w.malformed("unexpected end of file")
            if not values.pattern and w.dropped == dropped:
                values.learn(end)
