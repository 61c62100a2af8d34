"""The CLI boundary: whatever a command prints passes one filter (userinfo masked, control codes
and lone surrogates escaped); a reader that goes away, a spec that is a folder or an empty file are
one line, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.cli import safe_text

from ._support import CANARY, CORPUS, assert_refused, real_spec, run_cli


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (f"GET http://admin:{CANARY}@h/x", "GET http://[REDACTED]@h/x"),
        ("title\x1b]0;owned\x07", "title\\x1b]0;owned\\x07"),
        ("clear\x1b[2J", "clear\\x1b[2J"),
        ("\x1b[31mred\x1b[0m", "\x1b[31mred\x1b[0m"),  # our reporters' colours stay
        ("nul\x00 and \x9b", "nul\\x00 and \\x9b"),
        ("lone \ud800", "lone \\ud800"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("café ✓", "café ✓"),
    ],
)
def test_safe_text(raw: str, shown: str) -> None:
    assert safe_text(raw) == shown


def test_spec_that_is_a_folder_or_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = str(CORPUS / "bodies" / "malformed.json")
    assert_refused(
        run_cli(["--spec", str(tmp_path), "validate", "-o", "x", "-s", "200", body], capsys), "is a directory"
    )
    monkeypatch.setenv("CONTRACTS_SPEC", str(CORPUS / "specs" / "empty.json"))
    assert_refused(run_cli(["validate", "-o", "x", "-s", "200", body], capsys), "empty file")
    monkeypatch.setenv("CONTRACTS_SPEC", str(tmp_path / "absent.json"))
    assert_refused(run_cli(["mock", "--port", "0"], capsys), "no such spec file")


def test_a_reader_that_goes_away_is_no_traceback(tmp_path: Path) -> None:
    """``contracts lint spec | true``: the reader is gone before the findings are written."""
    raw = real_spec()
    raw["components"]["schemas"]["Channel"]["properties"]["p"] = {"type": "string", "enum": ["A"]}
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(raw, indent=1))
    proc = subprocess.Popen(
        [sys.executable, "-m", "contracts", "lint", "--format", "json", str(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 2
    assert "Traceback" not in err and "Exception ignored" not in err, err


def test_a_canary_in_any_argument_is_masked_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    """Even where a parser echoes the password outside its URL (``'s3cret' is not a port``)."""
    outcome = run_cli(["mock", "--host", f"http://admin:{CANARY}@h", "--port", "0"], capsys)
    assert outcome.code == 2
    assert CANARY not in outcome.out + outcome.err
    outcome = run_cli(["validate", "-o", f"http://u:{CANARY}@x", "-s", "200", "-"], capsys, stdin=b"{}")
    assert_refused(outcome, "unknown operation")
    assert CANARY not in outcome.out + outcome.err
