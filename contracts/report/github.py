"""GitHub Actions workflow annotations (``::error file=…,line=…::message``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from contracts.findings import Finding

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


class GithubReporter:
    """One annotation line per finding."""

    def __init__(self, stream: IO[str], *, file: str, line_of: Callable[[str], int]) -> None:
        self.stream, self.file, self.line_of = stream, file, line_of

    def start(self, meta: dict[str, Any]) -> None:
        return None

    def handle(self, finding: Finding) -> None:
        where = finding.spec_pointer or finding.pointer
        props = f"file={_escape(self.file, prop=True)},line={self.line_of(where)},title={_escape(finding.check, prop=True)}"
        self.stream.write(
            f"::{COMMANDS[finding.severity]} {props}::{_escape(f'{where}: {finding.message}')}\n"
        )

    def finish(self, summary: dict[str, Any]) -> None:
        return None
