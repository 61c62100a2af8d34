"""Running the CLI in-process on hostile input, and what every answer to it must look like."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from contracts.cli import main

CORPUS = Path(__file__).resolve().parent / "corpus"
ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "v3.json"
CANARY = "CANARY-pw-7f3a9"
"""A password that must appear in no output."""


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str], *, stdin: bytes | None = None) -> Outcome:
    """``contracts ARGS`` in-process (standard input from ``stdin``), with what it printed."""
    saved = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        code = main(args)
    finally:
        sys.stdin = saved
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


def assert_refused(outcome: Outcome, fragment: str = "") -> None:
    """Exit 2, one ``error:`` line on stderr (plus at most one ``hint:``), nothing else, no traceback."""
    lines = outcome.err.splitlines()
    assert outcome.code == 2, outcome
    assert "Traceback" not in outcome.err and "internal error" not in outcome.err, outcome.err
    assert lines and lines[0].startswith("error: "), outcome.err
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("hint: ")), outcome.err
    assert fragment in lines[0], (fragment, outcome.err)


def assert_judged(outcome: Outcome) -> None:
    """A verdict (0 or 1), or a one-line refusal (after any per-entry warnings): never a traceback."""
    assert "Traceback" not in outcome.err and "internal error" not in outcome.err, outcome.err
    if outcome.code == 2:
        # Per-entry warnings ("HAR entry 0 ... matches no operation") may come before the refusal.
        kept = [line for line in outcome.err.splitlines() if ": warning: " not in line]
        assert_refused(Outcome(outcome.code, outcome.out, "\n".join(kept) + "\n"))
    else:
        assert outcome.code in (0, 1), outcome


def real_spec() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
    return raw
