"""Line numbers for JSON pointers into the spec text, for file:line output, SARIF and annotations."""

from __future__ import annotations

import bisect
import contextlib
import re

from contracts.spec import escape_token

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_SCALAR = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")
_SPACE = re.compile(r"[\s,:]*")


class Locator:
    """Maps JSON pointers to 1-based line numbers of ``text`` (a JSON document)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self.lines: dict[str, int] = {}
        # Not JSON (YAML or broken): every pointer falls back to line 1.
        with contextlib.suppress(IndexError, AttributeError, AssertionError, RecursionError):
            self._value(_SPACE.match(text, 0).end(), "")  # type: ignore[union-attr]

    def _line(self, offset: int) -> int:
        return bisect.bisect_left(self._newlines, offset) + 1

    def _skip(self, i: int) -> int:
        return _SPACE.match(self.text, i).end()  # type: ignore[union-attr]

    def _value(self, i: int, path: str) -> int:
        self.lines[path] = self._line(i)
        char = self.text[i]
        if char == "{":
            i = self._skip(i + 1)
            while self.text[i] != "}":
                key = _STRING.match(self.text, i)
                assert key is not None
                name = (
                    key.group()[1:-1].encode().decode("unicode_escape")
                    if "\\" in key.group()
                    else key.group()[1:-1]
                )
                child = f"{path}/{escape_token(name)}"
                self.lines[child] = self._line(i)
                i = self._value(self._skip(key.end()), child)
                self.lines[child] = min(self.lines[child], self._line(key.start()))
                i = self._skip(i)
            return i + 1
        if char == "[":
            i, index = self._skip(i + 1), 0
            while self.text[i] != "]":
                i = self._skip(self._value(i, f"{path}/{index}"))
                index += 1
            return i + 1
        match = _STRING.match(self.text, i) if char == '"' else _SCALAR.match(self.text, i)
        assert match is not None
        return match.end()

    def line(self, pointer: str) -> int:
        """The line of ``pointer``, or of its nearest located ancestor."""
        while pointer not in self.lines and pointer:
            pointer = pointer.rsplit("/", 1)[0]
        return self.lines.get(pointer, 1)
