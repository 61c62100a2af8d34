"""``contracts replay``: a HAR recorded through the proxy, re-sent to the mock and to broken servers."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.cli import main
from contracts.mock import create_app, free_port
from contracts.spec import Spec

from ._upstreams import Broken, proxied, serve

CREDS = ("replayer", "pw-replayer-1")
AUTH = {"Authorization": "Basic " + base64.b64encode(":".join(CREDS).encode()).decode()}


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTRACTS_BASIC_USER", CREDS[0])
    monkeypatch.setenv("CONTRACTS_BASIC_PASSWORD", CREDS[1])
    monkeypatch.delenv("CONTRACTS_BEARER_TOKEN", raising=False)


@pytest.fixture
def recorded(spec: Spec, tmp_path: Path) -> Path:
    """A HAR of a short session: three reads of the mock and one create."""
    har = tmp_path / "session.har"
    with (
        serve(create_app(spec, credentials=CREDS)) as upstream,
        proxied(spec, upstream, record=str(har)) as run,
    ):
        for path in ("/v3/targetGroups/18044", "/v3/targetGroups/channels", "/v3/targetGroups/2911"):
            assert httpx.get(run.url + path, headers=AUTH).status_code == 200
        created = httpx.post(
            run.url + "/v3/targetGroups",
            headers=AUTH,
            json={"name": "replayed", "totalPeriods": 1, "trackingType": "DEFAULT"},
        )
        assert created.status_code == 200
    assert "[REDACTED]" in har.read_text()
    return har


@pytest.fixture
def mock_url(spec: Spec) -> Iterator[str]:
    with serve(create_app(spec, credentials=CREDS)) as url:
        yield url


def _enum(path: str, status: int, headers: dict[str, str], body: Any) -> tuple[int, dict[str, str], Any]:
    if isinstance(body, dict) and isinstance(body.get("data"), dict) and "trackingType" in body["data"]:
        body["data"]["trackingType"] = "SOMETIMES"
    return status, headers, body


def test_replay_against_the_mock_is_conformant(
    recorded: Path, mock_url: str, creds: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "replay"
    assert main(["replay", str(recorded), "--base-url", mock_url, "--report", str(reports)]) == 0
    out = capsys.readouterr().out
    assert "3 response(s)" in out and "1 write(s) skipped" in out
    summary = json.loads((reports / "report.json").read_text())["summary"]
    assert summary["responses"] == 3 and summary["entries_skipped"] == 1


def test_replay_without_credentials_is_judged_as_what_the_server_answers(
    recorded: Path, mock_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CONTRACTS_BASIC_USER", "CONTRACTS_BASIC_PASSWORD", "CONTRACTS_BEARER_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    # The HAR holds no credentials; the mock answers a documented 401, which conforms.
    assert main(["replay", str(recorded), "--base-url", mock_url]) == 0


def test_replay_against_a_broken_server_exits_1(
    recorded: Path, spec: Spec, creds: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(Broken(create_app(spec, credentials=CREDS), _enum)) as broken:
        assert main(["replay", str(recorded), "--base-url", broken]) == 1
    out = capsys.readouterr().out
    assert "enum_value_documented" in out and "curl -X GET" in out


def test_writes_are_sent_only_when_allowed(recorded: Path, spec: Spec, creds: None) -> None:
    upstream = Broken(create_app(spec, credentials=CREDS), lambda p, s, h, b: (s, h, b))
    with serve(upstream) as url:
        assert main(["replay", str(recorded), "--base-url", url]) == 0
        assert [m for m, _, _ in upstream.requests] == ["GET", "GET", "GET"]
        assert main(["replay", str(recorded), "--base-url", url, "--allow-writes"]) == 0
    assert [m for m, _, _ in upstream.requests][3:] == ["GET", "GET", "GET", "POST"]


def test_replay_to_a_closed_port_or_of_a_bad_file_is_exit_2(
    recorded: Path, tmp_path: Path, creds: None, capsys: pytest.CaptureFixture[str]
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    assert main(["replay", str(recorded), "--base-url", closed]) == 2
    assert "every request failed at the transport" in capsys.readouterr().out
    junk = tmp_path / "junk.har"
    junk.write_text("{not json")
    assert main(["replay", str(junk), "--base-url", closed]) == 2
    assert "malformed JSON" in capsys.readouterr().err
    assert main(["replay", str(recorded)]) == 2
    assert "needs --base-url" in capsys.readouterr().err


def test_credentials_come_from_the_variables_the_flags_name(
    recorded: Path, spec: Spec, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``--basic-user-env``/``--basic-password-env`` (as ``contracts run`` has them): the pair is read from
    those variables, sent to the server, and never written to the report."""
    for name in ("CONTRACTS_BASIC_USER", "CONTRACTS_BASIC_PASSWORD", "CONTRACTS_BEARER_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TEAM_USER", CREDS[0])
    monkeypatch.setenv("TEAM_SECRET", CREDS[1])
    upstream = Broken(create_app(spec, credentials=CREDS), lambda p, s, h, b: (s, h, b))
    flags = [
        "--basic-user-env",
        "TEAM_USER",
        "--basic-password-env",
        "TEAM_SECRET",
        "--report",
        str(tmp_path / "r"),
    ]
    with serve(upstream) as url:
        assert main(["replay", str(recorded), "--base-url", url, *flags]) == 0
    sent = [headers.get("authorization") for _, _, headers in upstream.requests]
    assert sent == [AUTH["Authorization"]] * 3
    assert all(CREDS[1] not in f.read_text() for f in (tmp_path / "r").iterdir())
    assert main(["replay", str(recorded), "--base-url", url, "--basic-user-env", ""]) == 2
