"""``contracts proxy`` flags: one-line errors, the loopback warning, the live summary."""

from __future__ import annotations

import io
import socket

import pytest

from contracts.cli import main
from contracts.proxy.ledger import Ledger
from contracts.proxy.server import Live
from contracts.report.coverage import Coverage
from contracts.spec import Spec


def test_missing_or_bad_upstream_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["proxy"]) == 2
    assert "needs --upstream" in capsys.readouterr().err
    assert main(["proxy", "--upstream", "ftp://example.com", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "scheme must be http or https" in err and "Traceback" not in err


def test_port_in_use_is_one_line_and_other_hosts_are_warned_about(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["proxy", "--upstream", "http://127.0.0.1:9", "--host", "0.0.0.0", "--port", str(port)])
    assert code == 2
    err = capsys.readouterr().err
    assert "warning: listening on 0.0.0.0, not loopback" in err
    assert f"cannot listen on 0.0.0.0:{port}" in err and "Traceback" not in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_live_summary_is_one_redrawn_line_on_a_terminal_and_plain_lines_otherwise(spec: Spec) -> None:
    for stream in (_Terminal(), io.StringIO()):
        ledger = Ledger(Coverage(spec))
        live = Live(ledger, stream)
        ledger.on_new = live.line
        ledger.exchanges = 3
        ledger.miss("GET", "/v9/x")
        live.tick()
        text = stream.getvalue()
        assert "unmatched: GET /v9/x" in text
        if isinstance(stream, _Terminal):
            assert text.count("\r\x1b[K") >= 2 and "3 exchange(s)" in text
        else:
            assert "\r" not in text and "exchange(s)" not in text
