"""Accepted findings, recorded once, so only new ones fail (keys: rule + pointer, not lines)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from contracts.errors import UsageError
from contracts.findings import Finding

VERSION = 1


def key(finding: Finding) -> tuple[str, str]:
    return (finding.check, finding.pointer)


def write(path: Path, findings: Iterable[Finding]) -> int:
    entries = sorted({key(f) for f in findings})
    data = {"version": VERSION, "accepted": [{"rule": r, "pointer": p} for r, p in entries]}
    try:
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the baseline ({exc.strerror})") from None
    return len(entries)


def read(path: Path) -> set[tuple[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {(str(e["rule"]), str(e["pointer"])) for e in data["accepted"]}
    except FileNotFoundError:
        raise UsageError(f"{path}: no such baseline file", hint="create one with --write-baseline") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise UsageError(f"{path}: not a baseline file ({exc.__class__.__name__})") from None


def apply(findings: list[Finding], accepted: set[tuple[str, str]]) -> list[Finding]:
    """New findings, plus an info finding for each stale baseline entry."""
    fresh = [f for f in findings if key(f) not in accepted]
    present = {key(f) for f in findings}
    stale = [
        Finding(
            rule,
            "baseline entry no longer matches a finding; remove it",
            pointer=pointer,
            spec_pointer=pointer,
            severity="info",
        )
        for rule, pointer in sorted(accepted - present)
    ]
    return fresh + stale
