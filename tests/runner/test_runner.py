"""`contracts run` end to end on loopback: the mock, broken variants of it, closed ports, etiquette, secrets."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _servers import Broken, Recording, Unavailable, mock

from contracts.cli import main
from contracts.mock import free_port, serve_in_thread
from contracts.spec import READ_METHODS, Spec, load_spec

pytestmark = pytest.mark.slow
FAST = ["--max-examples", "3", "--phases", "fuzzing", "--seed", "7"]
"""A read-only fuzzing pass: every read operation, a few dozen requests, about two seconds."""


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("CONTRACTS_BASIC_USER", "runner")
    monkeypatch.setenv("CONTRACTS_BASIC_PASSWORD", "pw-runner")
    monkeypatch.delenv("CONTRACTS_BEARER_TOKEN", raising=False)
    return ("runner", "pw-runner")


def _report(directory: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((directory / "report.json").read_text())
    return report


def test_embedded_mock_is_conformant(tmp_path: Path, spec: Spec, capsys: pytest.CaptureFixture[str]) -> None:
    # Fuzzing is left out until the mock answers paths holding a newline with its JSON 404
    # (starlette's route regex does not match "\n", so the fallback is a text/plain 404).
    args = ["--max-examples", "3", "--phases", "examples,coverage,stateful", "--seed", "7"]
    assert main(["run", *args, "--allow-writes", "--report", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "conformant: 0 violation(s)" in out
    report = _report(tmp_path)
    assert report["summary"]["operations_tested"] == len(spec.operations)
    assert report["summary"]["cleaned_up"], "what the run created is removed"
    assert report["violations"] == []
    assert report["run"]["auth"] == "basic"
    checks = report["run"]["checks"]
    assert "envelope_shape" in checks
    assert "schemathesis.negative_data_rejection" in checks


@pytest.mark.parametrize("phase", ["examples", "coverage", "stateful"])
def test_each_phase_runs_on_its_own(phase: str, capsys: pytest.CaptureFixture[str]) -> None:
    """One phase alone leaves operations unjudged (examples and links do not reach all 23): exit 2,
    or a warning with --allow-incomplete."""
    args = ["run", "--allow-writes", "--max-examples", "2", "--phases", phase, "--seed", "3"]
    code = main([*args, "--allow-incomplete"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "conformant" in out
    if phase != "coverage":
        assert "warning: " in out and "got no judged response" in out


def _on(path: str, change: Callable[[int, dict[str, str], Any], tuple[int, dict[str, str], Any]]) -> Any:
    def mutate(p: str, s: int, h: dict[str, str], b: Any) -> tuple[int, dict[str, str], Any]:
        return change(s, h, b) if p == path and s == 200 else (s, h, b)

    return mutate


def _first_group(change: Callable[[dict[str, Any]], None]) -> Any:
    def edit(s: int, h: dict[str, str], b: Any) -> tuple[int, dict[str, str], Any]:
        if isinstance(b, dict) and b.get("data"):
            change(b["data"][0])
        return s, h, b

    return _on("/v3/targetGroups", edit)


def _not_found(change: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    def mutate(p: str, s: int, h: dict[str, str], b: Any) -> tuple[int, dict[str, str], Any]:
        if s == 404 and isinstance(b, dict) and b.get("errors"):
            return s, h, change(b)
        return s, h, b

    return mutate


CHANNELS = "/v3/targetGroups/channels"
BREAKS: dict[str, tuple[str | None, Any]] = {
    "status_code_documented": ("get-target-channels", _on(CHANNELS, lambda s, h, b: (202, h, b))),
    "content_type_documented": (
        "get-target-channels",
        _on(CHANNELS, lambda s, h, b: (s, {**h, "content-type": "text/plain"}, b)),
    ),
    "response_schema_conformance": (
        "get-target-channels",
        _on(CHANNELS, lambda s, h, b: (s, h, {**b, "data": [{"id": "1", "name": "SMS"}]})),
    ),
    "envelope_shape": ("get-target-channels", _on(CHANNELS, lambda s, h, b: (s, h, b["data"]))),
    "data_iff_success": ("get-target-channels", _on(CHANNELS, lambda s, h, b: (s, h, {**b, "data": None}))),
    "warnings_shape": (
        "get-target-channels",
        _on(CHANNELS, lambda s, h, b: (s, h, {**b, "warnings": "none"})),
    ),
    "errors_array_shape": (
        None,
        _not_found(lambda b: {**b, "errors": [{"code": "310017", "message": "x"}]}),
    ),
    "enum_value_documented": (
        "get-target-groups-all",
        _first_group(lambda g: g.update(trackingType="Streaks")),
    ),
    "date_format": ("get-target-groups-all", _first_group(lambda g: g.update(fromDate="19/02/2024"))),
    "timestamp_format": (
        "get-target-groups-all",
        _first_group(lambda g: g.setdefault("attribution", {}).update(createdOn="2024-04-01T16:04:29Z")),
    ),
    "error_code_documented": (
        None,
        _not_found(lambda b: {**b, "errors": [{"code": 999999, "message": "x"}]}),
    ),
    "error_code_matches_status": (
        None,
        _not_found(lambda b: {**b, "errors": [{"code": 300004, "message": "x"}]}),
    ),
}


@pytest.mark.parametrize("check", list(BREAKS))
def test_broken_mock_fails_naming_the_check(
    check: str, creds: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operation, mutate = BREAKS[check]
    with serve_in_thread(Broken(mock(creds), mutate)) as url:
        code = main(["run", "--base-url", url, *FAST, "--checks", check, "--report", str(tmp_path)])
    assert code == 1
    out = capsys.readouterr().out
    assert f" {check} " in out
    assert "curl -X GET" in out
    # None: whichever operation the seeded generation drove to a 404
    found = [v for v in _report(tmp_path)["violations"] if operation in (None, v["operation"])]
    assert found, f"no {check} finding for {operation or 'any operation'}"
    assert {v["check"] for v in found} == {check}


def test_missing_required_header_fails_naming_the_check(
    creds: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The spec documents no response header, so a variant requires one the mock does not send."""
    raw = copy.deepcopy(load_spec().raw)
    ok = raw["paths"][CHANNELS]["get"]["responses"]["200"]
    ok["headers"] = {"X-Request-Id": {"required": True, "schema": {"type": "string"}}}
    path = tmp_path / "variant.json"
    path.write_text(json.dumps(raw))
    variant = load_spec(path)
    with serve_in_thread(mock(creds, variant)) as url:
        code = main(
            ["--spec", str(path), "run", "--base-url", url, *FAST, "--checks", "response_headers_documented"]
        )
    assert code == 1
    assert " response_headers_documented " in capsys.readouterr().out


def test_schemathesis_checks_are_named_as_theirs(
    creds: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    mutate = _on(CHANNELS, lambda s, h, b: (500, h, b))
    with serve_in_thread(Broken(mock(creds), mutate)) as url:
        code = main(["run", "--base-url", url, *FAST, "--checks", "schemathesis.not_a_server_error"])
    assert code == 1
    assert " schemathesis.not_a_server_error " in capsys.readouterr().out


def _misspelled(s: int, h: dict[str, str], b: Any) -> tuple[int, dict[str, str], Any]:
    return s, h, {**b, "data": [{**item, "nmae": item.get("name")} for item in b["data"]]}


@pytest.mark.parametrize(("strict", "expected"), [([], 0), (["--strict"], 1)])
def test_undocumented_property_is_a_warning_unless_strict(
    strict: list[str], expected: int, creds: tuple[str, str], tmp_path: Path
) -> None:
    """An additive change is visible in the report but fails the run only with --strict."""
    with serve_in_thread(Broken(mock(creds), _on(CHANNELS, _misspelled))) as url:
        code = main(
            [
                "run",
                "--base-url",
                url,
                *FAST,
                *strict,
                "--checks",
                "undocumented_property",
                "--report",
                str(tmp_path),
            ]
        )
    assert code == expected
    found = [v for v in _report(tmp_path)["violations"] if v["operation"] == "get-target-channels"]
    assert {v["check"] for v in found} == {"undocumented_property"}
    assert "/data/0/nmae" in {v["pointer"] for v in found}
    assert found[0]["severity"] == ("error" if strict else "warning")


def test_closed_port_is_exit_two(creds: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--base-url", f"http://127.0.0.1:{free_port()}", *FAST]) == 2
    assert "cannot reach" in capsys.readouterr().err


def test_refused_credentials_are_exit_two(creds: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    with serve_in_thread(mock(("someone", "else"))) as url:
        assert main(["run", "--base-url", url, *FAST]) == 2
    err = capsys.readouterr().err
    assert "refused the credentials" in err
    assert "pw-runner" not in err


def test_no_write_leaves_without_allow_writes(creds: tuple[str, str]) -> None:
    recording = Recording(mock(creds))
    with serve_in_thread(recording) as url:
        args = ["--max-examples", "3", "--phases", "examples,coverage,fuzzing,stateful", "--seed", "7"]
        assert main(["run", "--base-url", url, *args]) in (0, 1)
    methods = {method for method, _ in recording.seen}
    assert len(recording.seen) > 100, "requests were sent"
    assert methods <= READ_METHODS, methods


def test_writes_carry_the_run_prefix_and_are_cleaned_up(creds: tuple[str, str], spec: Spec) -> None:
    app = mock(creds)
    store = app.state.store
    groups, targets = set(store.groups), set(store.targets)
    recording = Recording(app)
    with serve_in_thread(recording) as url:
        args = ["--allow-writes", "--max-examples", "3", "--phases", "examples,stateful", "--seed", "7"]
        # These two phases do not reach every operation: incomplete, allowed here. A conformant mock
        # is exit 0 (an enrolment's 404 for its period after a create is no "created resource not found").
        code = main(["run", "--base-url", url, *args, "--allow-incomplete"])
        assert code == 0
    create = spec.operation("create-target-groups").path
    names = [
        json.loads(body).get("name")
        for method, path, body, status in recording.exchanges
        if method == "POST" and path == create and 200 <= status < 300
    ]
    assert names, "target groups were created"
    assert all(str(n).startswith("contracts-") for n in names), names
    assert set(store.groups) <= groups, "every created target group is deleted"
    created = [t for key, t in store.targets.items() if key not in targets]
    assert all(t.get("active") is False for t in created), "every created target is deactivated"


def test_unavailable_answers_are_retried_and_reported_as_infrastructure(
    creds: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve_in_thread(Unavailable(mock(creds), CHANNELS, times=2)) as url:
        assert main(["run", "--base-url", url, *FAST, "--report", str(tmp_path)]) in (0, 1)
    report = _report(tmp_path)
    assert not [v for v in report["violations"] if v["operation"] == "get-target-channels"]
    kinds = {i["kind"] for i in report["infrastructure"]}
    assert "retry" in kinds
    assert "infrastructure (" in capsys.readouterr().out


def test_canary_credentials_appear_nowhere(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    user, password = "canary-user", "canary-s3cr3t-XYZ"
    monkeypatch.setenv("CONTRACTS_BASIC_USER", user)
    monkeypatch.setenv("CONTRACTS_BASIC_PASSWORD", password)
    broken = Broken(mock((user, password)), BREAKS["data_iff_success"][1])
    with serve_in_thread(broken) as url:
        assert main(["-vv", "run", "--base-url", url, *FAST, "--report", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    pair = f"{user}:{password}".encode()
    forms = [password, base64.b64encode(pair).decode(), base64.urlsafe_b64encode(pair).decode()]
    outputs = [captured.out, captured.err, caplog.text, *(p.read_text() for p in tmp_path.iterdir())]
    assert len(outputs) == 8
    assert "data_iff_success" in captured.out
    violation = next(v for v in _report(tmp_path)["violations"] if v["check"] == "data_iff_success")
    assert violation["operation"] == "get-target-channels"
    assert violation["pointer"] == "/data"
    assert violation["curl"].startswith("curl -X GET -H 'Authorization: [REDACTED]'")
    for text in outputs:
        for form in forms:
            assert form not in text


def test_canary_bearer_token_appears_nowhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token = "canary-t0ken-4f9a8b7c6d"
    monkeypatch.delenv("CONTRACTS_BASIC_USER", raising=False)
    monkeypatch.delenv("CONTRACTS_BASIC_PASSWORD", raising=False)
    monkeypatch.setenv("CI_BEARER", token)
    broken = Broken(mock(None), BREAKS["data_iff_success"][1])
    with serve_in_thread(broken) as url:
        code = main(
            ["run", "--base-url", url, *FAST, "--bearer-token-env", "CI_BEARER", "--report", str(tmp_path)]
        )
    assert code == 1
    captured = capsys.readouterr()
    assert "auth: bearer" in captured.out
    for text in [captured.out, captured.err, *(p.read_text() for p in tmp_path.iterdir())]:
        assert token not in text
