"""`contracts mock`: bad flags are one-line errors with exit 2."""

from __future__ import annotations

import pytest

from contracts.cli import main


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
