"""The CLI boundary: help and version exit 0, bad flags exit 2 with one line, never a traceback."""

from __future__ import annotations

import pytest

from contracts.cli import main


def test_help_and_version_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "validate" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert "0.1.0" in capsys.readouterr().out


def test_unknown_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--frobnicate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: No such option '--frobnicate'")
    assert "Traceback" not in err


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["valdate"]) == 2
    err = capsys.readouterr().err
    assert "Did you mean 'validate'?" in err
    assert "Traceback" not in err
