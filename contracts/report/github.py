"""GitHub Actions workflow annotations (``::error file=…,line=…,title=…::message``).

Works from :class:`~contracts.findings.Finding` fields only, for lint and contract findings:
the title is the rule or check, the message names the operation and pointer and ends with the
fix hint. Values are escaped as the runner's workflow-command parser expects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from contracts.findings import Finding
from contracts.report.sarif import message_of

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter:
    """One annotation line per finding, written as it arrives."""

    def __init__(self, stream: IO[str], *, file: str, line_of: Callable[[str], int] | None = None) -> None:
        self.stream, self.file, self.line_of = stream, file, line_of

    def start(self, meta: dict[str, Any]) -> None:
        return None

    def handle(self, finding: Finding) -> None:
        where = finding.spec_pointer or finding.pointer
        props = [f"file={escape_property(self.file)}"]
        if self.line_of is not None:
            props.append(f"line={max(1, self.line_of(where))}")
        props.append(f"title={escape_property(finding.check)}")
        subject = " ".join(p for p in (finding.operation, finding.pointer or "/") if p)
        text = f"{subject}: {message_of(finding)}"
        self.stream.write(f"::{COMMANDS[finding.severity]} {','.join(props)}::{escape_data(text)}\n")

    def finish(self, summary: dict[str, Any]) -> None:
        return None
