"""The diff's output formats: text, JSON, SARIF, GitHub annotations, JUnit XML and Markdown.

Each entry is one cause (a :class:`~contracts.diff.change.Group`) located at a line of the NEW
spec file, with the operations that meet it. Every group is a :class:`~contracts.findings.Finding`
(:func:`finding`), the result type of checks and lint rules too, so SARIF, GitHub and JUnit output
go through the same reporters as ``contracts lint`` and ``contracts run``
(:mod:`contracts.report.document`); text, JSON and Markdown keep the diff's own richer layout
(every site of a change listed under it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import IO

from contracts.diff.change import KINDS, Group
from contracts.findings import Finding
from contracts.report.document import FORMATS, Format, emit

__all__ = ["FORMATS", "WRITERS", "Format", "finding"]
TITLE = "contracts diff"
LineOf = Callable[[str], int]
SHOWN = 5
"""Operations named per entry in one-line formats (the rest are counted)."""
SHOWN_MARKDOWN = 10


def _operations(group: Group, shown: int = SHOWN) -> str:
    names = group.operations
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _summary(groups: list[Group]) -> str:
    breaking = sum(g.breaking for g in groups)
    return f"{breaking} breaking, {len(groups) - breaking} non-breaking change(s)"


def finding(group: Group) -> Finding:
    """A group as a Finding: the kind is the rule, located at the change in NEW; a breaking change
    is an error, any other a note."""
    sites = "; ".join(f"{c.operation or '-'}: {c.where}" for c in group.sites[:SHOWN] if c.where)
    more = f"; {len(group.sites) - SHOWN} more" if len(group.sites) > SHOWN else ""
    return Finding(
        check=group.kind,
        message=f"{group.detail} — met at {sites}{more}" if sites else group.detail,
        operation=_operations(group) or None,
        pointer=group.pointer,
        spec_pointer=group.located_at,
        severity="error" if group.breaking else "info",
    )


def text(out: IO[str], groups: list[Group], *, uri: str, line_of: LineOf) -> None:
    for g in groups:
        label = "BREAKING" if g.breaking else "ok      "
        out.write(f"{uri}:{line_of(g.located_at)}: {label} {g.kind} {g.pointer}: {g.detail}\n")
        for site in g.sites:
            out.write(f"    {site.operation or '-'}: {site.where}\n" if site.where else "")
    out.write(_summary(groups) + "\n")


def as_json(out: IO[str], groups: list[Group], *, uri: str, line_of: LineOf) -> None:
    data = {
        "breaking": sum(g.breaking for g in groups),
        "changes": [
            {
                "breaking": g.breaking,
                "kind": g.kind,
                "pointer": g.pointer,
                "message": g.detail,
                "file": uri,
                "line": line_of(g.located_at),
                "operations": [
                    {"operation": c.operation, "where": c.where, "message": c.message} for c in g.sites
                ],
            }
            for g in groups
        ],
    }
    out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _through_reporters(fmt: Format) -> Callable[..., None]:
    def write(out: IO[str], groups: list[Group], *, uri: str, line_of: LineOf) -> None:
        found = [finding(g) for g in groups]
        if fmt == "github":  # the message names the operations; the subject is only the pointer
            found = [replace(f, operation=None) for f in found]
        emit(fmt, out, found, uri=uri, line_of=line_of, rules=KINDS, title=TITLE)

    return write


sarif = _through_reporters("sarif")
github = _through_reporters("github")
junit = _through_reporters("junit")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(out: IO[str], groups: list[Group], *, uri: str, line_of: LineOf) -> None:
    """A pull-request comment or job summary: the verdict, then one table row per change."""
    breaking = [g for g in groups if g.breaking]
    lines = ["# Breaking changes", "", f"**{_summary(groups)}** in `{uri}`", ""]
    for title, chosen in (("Breaking", breaking), ("Non-breaking", [g for g in groups if not g.breaking])):
        if not chosen:
            continue
        lines += [f"## {title}", "", "| change | where written | met at |", "| --- | --- | --- |"]
        for g in chosen:
            sites = "<br>".join(_cell(f"`{c.operation or '-'}` {c.where}") for c in g.sites[:SHOWN_MARKDOWN])
            if len(g.sites) > SHOWN_MARKDOWN:
                sites += f"<br>and {len(g.sites) - SHOWN_MARKDOWN} more"
            where = f"`{_cell(g.pointer)}` ({uri}:{line_of(g.located_at)})"
            lines.append(f"| `{g.kind}`: {_cell(g.detail)} | {where} | {sites} |")
        lines.append("")
    if not groups:
        lines.append("The two versions offer clients the same contract.")
    out.write("\n".join(lines).rstrip("\n") + "\n")


WRITERS: dict[Format, Callable[..., None]] = {
    "text": text,
    "json": as_json,
    "sarif": sarif,
    "github": github,
    "junit": junit,
    "markdown": markdown,
}
