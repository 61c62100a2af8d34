"""Work that was planned and not done is exit 2 with one line saying what, never a coverage figure.

Each fault is injected mid-run: a share's stream that loses a record, a share whose breaker tripped, a
schemathesis scenario that errored or a phase cut short, targeted probes that could not be sent (their
ids not found, the run stopped half-way through the phase).
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from _servers import Broken, Faulty, mock

from contracts.cli import main
from contracts.errors import ExitCode
from contracts.mock import serve_in_thread
from contracts.runner import RunSettings, run, shard
from contracts.runner._schemathesis import Outcome
from contracts.runner.elicit import catalogue
from contracts.runner.safety import Safety
from contracts.runner.targeted import Outcome as TargetedOutcome
from contracts.runner.targeted import Result
from contracts.runner.throttle import Throttle
from contracts.runner.verdict import decide, problems
from contracts.spec import Spec

PAIR = ("runner", "pw")


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("CONTRACTS_BASIC_USER", PAIR[0])
    monkeypatch.setenv("CONTRACTS_BASIC_PASSWORD", PAIR[1])
    return PAIR


def _verdict(outcome: Any = None, targeted: Any = None, throttle: Throttle | None = None) -> Any:
    infra, incomplete = problems(None, outcome, throttle or Throttle(0), targeted)
    return decide(
        violations=0,
        responses=100,
        planned=["a"],
        judged={"a"},
        infrastructure=infra,
        incomplete=incomplete,
    )


def test_targeted_probes_not_sent_are_exit_two_with_their_reasons(spec: Spec) -> None:
    probes = catalogue(spec, spec.operations[0])
    done = TargetedOutcome([Result(p, "elicited") for p in probes[1:]])
    assert _verdict(targeted=done).code == ExitCode.OK
    done.results.append(Result(probes[0], "skipped", "not exercised: no existing targetGroupId to use"))
    verdict = _verdict(targeted=done)
    assert verdict.code == ExitCode.ERROR
    assert verdict.reason == (
        f"the targeted phase did not send 1 of {len(probes)} probe(s): "
        "not exercised: no existing targetGroupId to use (1)"
    )


def test_skips_by_choice_are_no_lost_work(spec: Spec) -> None:
    from contracts.runner.targeted import READ_ONLY

    probes = catalogue(spec, spec.operations[0])
    done = TargetedOutcome([Result(p, "skipped", READ_ONLY) for p in probes])
    assert _verdict(targeted=done).code == ExitCode.OK


def test_a_scenario_schemathesis_could_not_finish_or_a_cut_phase_is_exit_two() -> None:
    from schemathesis.engine import Status
    from schemathesis.engine import events as ev
    from schemathesis.engine.run import Phase, PhaseName

    outcome = Outcome({})
    outcome.feed(ev.PhaseFinished(phase=Phase(PhaseName.COVERAGE), status=Status.SUCCESS, payload=None))
    assert _verdict(outcome).code == ExitCode.OK
    outcome.feed(ev.PhaseFinished(phase=Phase(PhaseName.FUZZING), status=Status.INTERRUPTED, payload=None))
    assert _verdict(outcome).reason == "the fuzzing phase was interrupted"
    outcome = Outcome({})
    error = ev.NonFatalError(
        error=ValueError("no data"), phase=PhaseName.FUZZING, label="GET /x", related_to_operation=True
    )
    outcome.feed(error)
    verdict = _verdict(outcome)
    assert verdict.code == ExitCode.ERROR
    assert verdict.reason.startswith("schemathesis could not run 1 scenario(s) to their end (first: GET /x")
    outcome.stop_reason = "failure_limit"
    assert "schemathesis stopped before its end (failure_limit)" in _verdict(outcome).reason


def test_a_shares_tripped_breaker_is_the_runs(spec: Spec) -> None:
    """Its time budget ran out in the worker: the run's verdict says so, though its own breaker held."""
    mine, throttle = Outcome({}), Throttle(0)
    done = shard.Done(
        outcome=Outcome({}),
        sent=5,
        lost=0,
        first_loss="",
        incidents=[],
        counts={},
        blocked=[],
        breaker=("the run's time budget (9 s) ran out", "budget"),
    )
    shard.merge(mine, done, throttle, Safety(True, prefix="p-"))
    assert throttle.sent == 5
    verdict = _verdict(mine, throttle=throttle)
    assert verdict.code == ExitCode.ERROR and verdict.reason == "the run's time budget (9 s) ran out"


LOSSY = """
import sys
from contracts.runner import _shard, shard
send = shard.Sink.__call__
def lossy(self, exchange, curl):
    self.sent += 1  # counted as sent, never written: a record lost on the way
    if self.sent != 40:
        self.sent -= 1
        send(self, exchange, curl)
shard.Sink.__call__ = lossy
sys.exit(_shard.main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_a_record_lost_from_a_shares_stream_is_exit_two(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(shard, "COMMAND", (sys.executable, "-c", LOSSY))
    args = ["run", "--allow-writes", "--workers", "2", "--max-examples", "1", "--seed", "3"]
    code = main([*args, "--phases", "examples,coverage"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "a worker process's stream lost 1 of its" in err and "Traceback" not in err


@pytest.mark.slow
def test_ids_not_found_mid_phase_are_exit_two_naming_what_was_not_sent(
    spec: Spec, creds: tuple[str, str]
) -> None:
    """The targeted phase's create of a group is refused (as a duplicate name once refused it): the
    probes that needed that group are listed as not sent and the run cannot be conformant."""
    create = spec.operation("create-target-groups")
    taken = next(s.unique.code for s in spec.error_facts.of(create).body if s.unique is not None)

    def refuse(path: str, status: int, headers: dict[str, str], body: Any) -> tuple[int, dict[str, str], Any]:
        if path == create.path and status == 200 and isinstance(body.get("data"), dict):
            return 400, headers, {"data": None, "errors": [{"code": taken, "message": "taken"}]}
        return status, headers, body

    with serve_in_thread(Broken(mock(creds), refuse)) as url:
        result = run(spec, RunSettings(base_url=url, allow_writes=True, phases=("targeted",)))
    assert int(result.exit_code) == 2
    assert "the targeted phase did not send" in result.verdict_.reason
    assert "no existing targetGroupId" in result.verdict_.reason


@pytest.mark.slow
def test_a_run_stopped_mid_phase_lists_every_probe_it_did_not_send(
    spec: Spec, creds: tuple[str, str]
) -> None:
    with serve_in_thread(mock(creds)) as upstream, Faulty(upstream, "reset", good=120) as faulty:
        result = run(spec, RunSettings(base_url=faulty.url, allow_writes=True, phases=("targeted",)))
    planned = sum(len(catalogue(spec, op)) for op in spec.operations)
    assert int(result.exit_code) == 2
    assert len(result.targeted) == planned, "no probe vanishes from the report"
    stopped = [r for r in result.targeted if r["reason"].startswith("not exercised: the run stopped")]
    assert stopped and "the target stopped answering" in result.verdict_.reason
