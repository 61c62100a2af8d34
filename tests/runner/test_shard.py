"""`--workers N` on loopback: the unit phases over shares of the operations, one process each."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from _servers import Broken, mock

from contracts.cli import main
from contracts.findings import Finding
from contracts.mock import serve_in_thread
from contracts.runner import RunSettings, shard
from contracts.runner.plan import PHASES, make_plan
from contracts.runner.safety import Safety
from contracts.runner.throttle import Incident, Throttle
from contracts.spec import Spec


def test_split_gives_the_coverage_phase_then_fuzzing_to_processes_of_their_own() -> None:
    assert shard.split(PHASES, 2) == (("examples", "fuzzing", "stateful", "targeted"), [("coverage",)])
    assert shard.split(PHASES, 3) == (("examples", "stateful", "targeted"), [("coverage",), ("fuzzing",)])
    assert shard.split(PHASES, 8)[1] == [("coverage",), ("fuzzing",)]
    assert shard.split(PHASES, 1) == (PHASES, [])
    assert shard.split(("examples", "fuzzing"), 2) == (("examples",), [("fuzzing",)])
    assert shard.split(("examples", "stateful"), 2) == (("examples", "stateful"), [])


def test_only_several_workers_on_loopback_at_an_unlimited_rate_shard(spec: Spec) -> None:
    settings = RunSettings(workers=2, allow_writes=True)
    plan = make_plan(spec, settings)
    assert shard.shardable(spec, settings, plan, loopback=True, rate=0)
    assert not shard.shardable(spec, RunSettings(workers=1), plan, loopback=True, rate=0)
    assert not shard.shardable(spec, settings, plan, loopback=False, rate=0)
    assert not shard.shardable(spec, settings, plan, loopback=True, rate=5)
    stateful = make_plan(spec, RunSettings(workers=2, phases=("stateful", "targeted")))
    assert not shard.shardable(spec, settings, stateful, loopback=True, rate=0)


def test_a_restricted_plan_keeps_every_operation_and_only_the_phases_given(spec: Spec) -> None:
    plan = make_plan(spec, RunSettings(allow_writes=True))
    part = shard.restricted(plan, ("coverage",))
    assert part.phases == ("coverage",) and part.operations == plan.operations
    assert part.expectations == plan.expectations


def test_a_share_outcome_and_counts_are_folded_into_the_run() -> None:
    from contracts.runner._schemathesis import Outcome

    mine, theirs = Outcome({}), Outcome({})
    theirs.findings[("k",)] = Finding("schemathesis.x", "broken", operation="op")
    theirs.exercised["op"] = {"schemathesis.x"}
    theirs.stop_reason = "server_unavailable"
    throttle, safety = Throttle(0), Safety(True, prefix="p-")
    throttle.note(Incident("retry", "mine"))
    done = shard.Done(
        outcome=theirs,
        sent=7,
        lost=1,
        first_loss="ConnectionError on GET /x",
        incidents=[Incident("transport", "GET /x: reset")],
        counts={"transport": 3},
        blocked=["POST /y"],
    )
    shard.merge(mine, done, throttle, safety)
    assert next(iter(mine.findings.values())).message == "broken" and mine.exercised == {
        "op": {"schemathesis.x"}
    }
    assert mine.stop_reason == "server_unavailable"
    assert (throttle.sent, throttle.lost, throttle.first_loss) == (7, 1, "ConnectionError on GET /x")
    assert throttle.counts == {"retry": 1, "transport": 3} and len(throttle.incidents) == 2
    assert safety.blocked == ["POST /y"]


@pytest.fixture
def shares(monkeypatch: pytest.MonkeyPatch) -> list[shard.Share]:
    """Every share process the run starts, kept for the test to look at once it is over."""
    started: list[shard.Share] = []
    original = shard.Share.__init__

    def init(self: shard.Share, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        started.append(self)

    monkeypatch.setattr(shard.Share, "__init__", init)
    return started


@pytest.mark.slow
def test_a_sharded_run_on_the_mock_judges_every_operation(
    spec: Spec, tmp_path: Path, shares: list[shard.Share], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", "--allow-writes", "--workers", "2", "--max-examples", "1", "--seed", "5"]
    code = main([*args, "--phases", "examples,coverage,stateful", "--report", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"]["operations_tested"] == len(spec.operations)
    assert len(shares) == 1 and shares[0].done is not None and shares[0].done.sent > 0
    assert shares[0].process.returncode == 0
    assert report["summary"]["requests"] >= shares[0].done.sent


@pytest.mark.slow
def test_our_checks_judge_the_responses_a_share_received(
    tmp_path: Path, shares: list[shard.Share], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the coverage phase, so every response comes from the share: a wrong Content-Type is reported."""
    monkeypatch.setenv("CONTRACTS_BASIC_USER", "runner")
    monkeypatch.setenv("CONTRACTS_BASIC_PASSWORD", "pw")

    def plain(path: str, status: int, headers: dict[str, str], body: Any) -> tuple[int, dict[str, str], Any]:
        return status, {**headers, "content-type": "text/plain"}, body

    with serve_in_thread(Broken(mock(("runner", "pw")), plain)) as url:
        args = ["run", "--base-url", url, "--workers", "2", "--phases", "coverage"]
        code = main([*args, "--checks", "content_type_documented", "--report", str(tmp_path)])
    assert code == 1
    report = json.loads((tmp_path / "report.json").read_text())
    assert {v["check"] for v in report["violations"]} == {"content_type_documented"}
    assert len(shares) == 1 and shares[0].done is not None
    assert report["summary"]["responses"] > 0 and report["summary"]["requests"] == shares[0].done.sent + 1


@pytest.mark.slow
def test_a_share_that_dies_is_exit_two_with_its_last_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = "import sys; sys.stdin.buffer.read(); sys.exit('worker exploded')"
    monkeypatch.setattr(shard, "COMMAND", (sys.executable, "-c", script))
    code = main(
        ["run", "--allow-writes", "--workers", "2", "--max-examples", "1", "--phases", "examples,coverage"]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "a worker process stopped before its end: worker exploded" in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_a_share_that_dies_before_reading_its_job_is_exit_two_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(shard, "COMMAND", (sys.executable, "-c", "import sys; sys.exit('no job read')"))
    code = main(
        ["run", "--allow-writes", "--workers", "2", "--max-examples", "1", "--phases", "examples,coverage"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "a worker process stopped before its end: no job read" in err
    assert "Traceback" not in err
