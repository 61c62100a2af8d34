"""`contracts mock`: bad flags are one-line errors with exit 2."""

from __future__ import annotations

import pytest

from contracts.cli import main
from contracts.cli.mock import NOACCESS_ENV, _no_access_credentials
from contracts.runner.auth import LOCAL_NOACCESS_CREDENTIALS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "70000"),
        (["--credentials", "nocolon"], "USER:PASS"),
        (["--credentials", ":pw"], "USER:PASS"),
        (["--max-entities", "0"], "0"),
    ],
)
def test_bad_flags_exit_two(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mock", *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-body", "0"], "0"),
        (["--max-body", "lots"], "lots"),
        (["--no-access-credentials", "nocolon"], "--no-access-credentials must be USER:PASS"),
        (["--no-access-credentials", "ro:"], "--no-access-credentials must be USER:PASS"),
        (["--credentials", "noaccess:noaccess", "--port", "0"], "same pair"),
        (["--credentials", "a:b", "--no-access-credentials", "a:b", "--port", "0"], "same pair"),
    ],
)
def test_bad_mock_limits_and_credentials_exit_two(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mock", *args]) == 2
    err = capsys.readouterr().err
    assert message in err.splitlines()[0], err
    assert "Traceback" not in err


def test_a_bad_no_access_variable_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(NOACCESS_ENV, "nocolon")
    assert main(["mock", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert f"${NOACCESS_ENV} must be USER:PASS" in err and "nocolon" not in err, err


def test_no_access_credentials_come_from_the_flag_then_the_variable_then_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(NOACCESS_ENV, raising=False)
    assert _no_access_credentials(None) == (LOCAL_NOACCESS_CREDENTIALS, "the local default noaccess:noaccess")
    monkeypatch.setenv(NOACCESS_ENV, "env-user:env-pw")
    assert _no_access_credentials(None) == (("env-user", "env-pw"), f"${NOACCESS_ENV}")
    assert _no_access_credentials("flag-user:flag-pw") == (
        ("flag-user", "flag-pw"),
        "--no-access-credentials",
    )
