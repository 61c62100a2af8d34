"""[tool.contracts] and the flags twinned with it: one schema judges both, exit 2 with one line
and a did-you-mean in the hyphenated spelling; meaningless numbers (nan, inf, out of range) are refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ._support import CANARY, CORPUS, SPEC, assert_refused, run_cli

CONFIG: dict[str, tuple[str, str]] = {
    "run-not-a-table.toml": ("lint", "[tool.contracts] run must be a table"),
    "phases-nope.toml": ("run", "[tool.contracts.run] phases = ['nope']: 'nope' is not one of examples"),
    "timeout-negative.toml": ("run", "[tool.contracts.run] timeout = -1: must be at least 0.1"),
    "timeout-nan.toml": ("run", "[tool.contracts.run] timeout = nan: must be a finite number"),
    "rate-limit-inf.toml": ("run", "[tool.contracts.run] rate-limit = inf: must be a finite number"),
    "max-examples-negative.toml": ("run", "max-examples = -1: must be at least 1 and at most 10000"),
    "max-examples-underscore.toml": ("run", "[tool.contracts.run] unknown key 'max_examples'"),
    "base-url-empty.toml": ("run", "[tool.contracts.run] base-url = '': must not be empty"),
    "base-url-number.toml": ("run", "base-url = 5: wrong type, expected string"),
    "port-too-big.toml": ("mock", "[tool.contracts.mock] port = 70000: must be at most 65535"),
    "port-string.toml": ("mock", "port = '4010': wrong type, expected integer"),
    "host-empty.toml": ("mock", "[tool.contracts.mock] host = '': must not be empty"),
    "unknown-section.toml": ("mock", "unknown section [tool.contracts.runn]"),
    "unknown-key.toml": ("lint", "[tool.contracts] unknown key 'foo'"),
    "unknown-run-key.toml": ("run", "[tool.contracts.run] unknown key 'foo'"),
    "subtable-in-section.toml": ("run", "[tool.contracts.run] unknown key 'extra'"),
    "tool-not-a-table.toml": ("lint", "[tool] must be a table"),
    "not-utf8.toml": ("lint", "not UTF-8"),
    "malformed.toml": ("lint", "cannot read configuration"),
    "lint-disable-string.toml": (
        "lint",
        "disable = 'enum_upper_snake': wrong type, expected a list of strings",
    ),
    "lint-format-nope.toml": ("lint", "format = 'xml': wrong type, expected one of"),
    "lint-unknown-rule.toml": ("lint", "unknown lint rule 'no_such_rule'"),
}
"""Corpus pyproject.toml → the command that reads it and what its one error line says."""

HINTS = {
    "max-examples-underscore.toml": "did you mean 'max-examples'?",
    "unknown-section.toml": "did you mean 'run'?",
    "unknown-key.toml": "the sections are run, mock, lint, diff, proxy, replay",
}


def test_the_corpus_and_the_table_agree() -> None:
    assert {p.name for p in (CORPUS / "config").iterdir()} == set(CONFIG)


@pytest.mark.parametrize("name", sorted(CONFIG))
def test_bad_configuration_is_one_line_exit_two(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    command, message = CONFIG[name]
    shutil.copyfile(CORPUS / "config" / name, tmp_path / "pyproject.toml")
    monkeypatch.chdir(tmp_path)
    outcome = run_cli([command, str(SPEC)] if command == "lint" else [command], capsys)
    assert_refused(outcome, message)
    if name in HINTS:
        assert outcome.err.splitlines()[1] == f"hint: {HINTS[name]}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--rate-limit", "nan"], "--rate-limit nan: must be a finite number"),
        (["run", "--rate-limit", "inf"], "--rate-limit inf: must be a finite number"),
        (["run", "--timeout", "nan"], "--timeout nan: must be a finite number"),
        (["run", "--timeout", "inf"], "--timeout inf: must be a finite number"),
        (["run", "--timeout", "-1"], "--timeout"),
        (["run", "--max-examples", "0"], "--max-examples"),
        (["run", "--base-url", ""], "--base-url '': must not be empty"),
        (["run", "--base-url", "   "], "--base-url '   ': must not be empty"),
        (["run", "--phases", "examples,nope"], "'nope' is not one of examples"),
        (["mock", "--port", "70000"], "70000: must be at most 65535"),
        (["mock", "--port", "-1"], "-1: must be at least 0"),
        (["mock", "--port", "http"], "'http' is not a valid integer"),
        (["mock", "--host", ""], "'': must not be empty"),
        (["mock", "--max-entities", "0"], "0"),
        (["lint", "--format", "xml"], "Invalid value for '--format'"),
    ],
)
def test_meaningless_flags_are_refused(
    args: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no pyproject.toml: the flags alone
    assert_refused(run_cli(args, capsys), message)


def test_flag_and_key_share_one_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same value is refused with the same reason, named as a key or as a flag."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.contracts.mock]\nport = 65536\n")
    from_file = run_cli(["mock"], capsys).err.splitlines()[0]
    (tmp_path / "pyproject.toml").write_text("")
    from_flag = run_cli(["mock", "--port", "65536"], capsys).err.splitlines()[0]
    assert from_file.endswith("65536: must be at most 65535")
    assert from_flag.endswith("65536: must be at most 65535")


def test_a_canary_password_in_the_base_url_appears_in_no_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for url in (
        f"http://admin:{CANARY}@127.0.0.1:9",  # refused port on loopback: cannot reach
        f"http://admin:{CANARY}@127.0.0.1:notaport/",  # unparsable
        f"ftp://admin:{CANARY}@127.0.0.1/",  # wrong scheme
        f"http://{CANARY}@127.0.0.1:9/",  # a token as the user name
        f"http://admin:{CANARY}/x@127.0.0.1:9/",  # a password with a raw '/'
    ):
        outcome = run_cli(["run", "--base-url", url, "--max-examples", "1"], capsys)
        assert outcome.code == 2, outcome
        assert CANARY not in outcome.out + outcome.err, url
        assert "Traceback" not in outcome.err
