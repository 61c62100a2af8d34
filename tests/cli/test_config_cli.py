"""A bad [tool.contracts] key is a one-line error with a did-you-mean, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.cli import main


def test_unknown_run_key_in_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.contracts.run]\nmax-example = 3\n")
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--base-url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'max-example'" in err
    assert "did you mean 'max-examples'?" in err


def test_wrong_type_in_lint_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.contracts.lint]\ndisable = "enum_upper_snake"\n')
    monkeypatch.chdir(tmp_path)
    spec = Path(__file__).resolve().parent.parent.parent / "spec" / "v3.json"
    assert main(["lint", str(spec)]) == 2
    assert "wrong type" in capsys.readouterr().err
