"""What a real read-only run reports: only what was judged counts, the schema of report.json holds,
and output problems stop the run before any request leaves."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import jsonschema_rs
import pytest
from _servers import Recording, mock

from contracts.cli import main
from contracts.mock import free_port, serve_in_thread
from contracts.spec import READ_METHODS, Spec, load_spec

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "report.schema.json"
FAST = ["--max-examples", "3", "--phases", "fuzzing", "--seed", "7", "--progress", "off"]


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("CONTRACTS_BASIC_USER", "runner")
    monkeypatch.setenv("CONTRACTS_BASIC_PASSWORD", "pw-runner")
    monkeypatch.delenv("CONTRACTS_BEARER_TOKEN", raising=False)
    return ("runner", "pw-runner")


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    report = tmp_path_factory.mktemp("read-only")
    mp = pytest.MonkeyPatch()
    mp.setenv("CONTRACTS_BASIC_USER", "runner")
    mp.setenv("CONTRACTS_BASIC_PASSWORD", "pw-runner")
    try:
        with serve_in_thread(mock(("runner", "pw-runner"))) as url:
            assert main(["run", "--base-url", url, *FAST, "--report", str(report)]) == 0
    finally:
        mp.undo()
    return report


@pytest.mark.slow
def test_junit_passes_only_what_was_judged(read_only: Path, spec: Spec) -> None:
    data = json.loads((read_only / "report.json").read_text())
    judged = data["summary"]["operations_judged"]
    suite = ET.parse(read_only / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    cases = list(suite.iter("testcase"))
    checks = data["run"]["checks"]
    assert len(cases) == len(spec.operations) * len(checks)
    passed = skipped = 0
    for case in cases:
        op, check = case.get("classname"), case.get("name")
        mark = case.find("skipped")
        assert case.find("failure") is None
        if spec.operation(str(op)).method not in READ_METHODS:
            assert mark is not None and "read-only" in str(mark.get("message"))
        elif check in judged[str(op)]["checks"]:
            assert mark is None, f"{op} {check} ran and passed"
        else:
            assert mark is not None and "not exercised" in str(mark.get("message"))
        passed += mark is None
        skipped += mark is not None
    assert int(str(suite.get("skipped"))) == skipped
    assert passed == sum(len(j["checks"]) for j in judged.values()) == data["summary"]["checks_exercised"]
    assert skipped >= 12 * len(checks), "the 12 write operations are skipped, not passed"
    # error-only checks never ran on an operation that only answered 200
    only_ok = [
        op
        for op, row in json.loads((read_only / "coverage.json").read_text())["operations"].items()
        if row["responses"] and not any(s[0] in "45" and seen for s, seen in row["statuses"].items())
    ]
    for op in only_ok:
        assert "error_code_documented" not in judged[op]["checks"]


@pytest.mark.slow
def test_report_json_follows_its_schema_and_summary_md_counts(read_only: Path) -> None:
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text()))
    data: dict[str, Any] = json.loads((read_only / "report.json").read_text())
    errors = [e.message for e in validator.iter_errors(data)]
    assert errors == []
    broken = {**data, "summary": {**data["summary"], "verdict": "passed"}}
    assert not validator.is_valid(broken), "the schema is not a rubber stamp"
    summary = (read_only / "summary.md").read_text()
    assert "**conformant**" in summary
    writes = len(data["run"]["operations_skipped"])
    assert writes == sum(op.method not in READ_METHODS for op in load_spec().operations)
    assert (
        f"## Skipped operations ({writes})" in summary
        and f"{writes} operation(s), write operation" in summary
    )
    assert "| statuses |" in summary and "Documented but never observed" in summary
    coverage = json.loads((read_only / "coverage.json").read_text())
    totals = coverage["totals"]
    documented = len(load_spec().operations)
    reads = documented - writes
    assert totals["operations"] == {
        "observed": reads,
        "documented": documented,
        "excused": 0,
        "percent": round(100 * reads / documented, 1),
    }
    assert set(coverage["never_observed"]["operations"]) == set(data["run"]["operations_skipped"])
    for kind in ("statuses", "error_codes", "enum_values"):
        t = totals[kind]
        assert t["percent"] == round(100 * t["observed"] / (t["documented"] - t["excused"]), 1)
        missing = sum(len(v) for v in coverage["never_observed"][kind].values())
        assert missing == t["documented"] - t["observed"]


def test_an_unwritable_report_directory_is_exit_two_before_any_request(
    creds: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    recording = Recording(mock(creds))
    with serve_in_thread(recording) as url:
        code = main(["run", "--base-url", url, *FAST, "--report", str(blocker / "reports")])
    assert code == 2
    assert "cannot write reports to" in capsys.readouterr().err
    assert recording.seen == [], "nothing was sent"


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_base_url_is_exit_two_and_never_the_mock(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--base-url", value, *FAST, "--report", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert f"--base-url {value!r}: must not be empty" in err
    assert not (tmp_path / "r").exists()


def test_an_empty_base_url_in_config_is_exit_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.contracts.run]\nbase-url = ""\nallow-incomplete = true\n')
    monkeypatch.chdir(tmp_path)
    assert main(["run", *FAST]) == 2
    assert "[tool.contracts.run] base-url = '': must not be empty" in capsys.readouterr().err


@pytest.mark.slow
def test_the_readme_mock_and_run_pair_is_conformant(tmp_path: Path) -> None:
    """`contracts mock` as the README starts it, then `contracts run --base-url` with no set-up at all."""
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("CONTRACTS_")}
    port = free_port()
    contracts = str(Path(sys.executable).parent / "contracts")
    log = (tmp_path / "mock.log").open("w")
    server = subprocess.Popen([contracts, "mock", "--port", str(port)], env=env, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/v3/targetGroups", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the mock did not start"
                time.sleep(0.2)
        done = subprocess.run(
            [
                contracts,
                "run",
                "--base-url",
                f"http://127.0.0.1:{port}",
                "--max-examples",
                "3",
                "--seed",
                "7",
                "--report",
                str(tmp_path),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "conformant" in done.stdout
    assert "ignored_auth" not in done.stdout
    assert "progress: " in done.stderr, "plain progress lines when not on a terminal"
    assert "credentials required: the local default" in (tmp_path / "mock.log").read_text()
