"""The verdict rules of contracts/runner/verdict.py: conformant only when every selected operation was judged."""

from __future__ import annotations

from contracts.errors import ExitCode
from contracts.runner.verdict import decide

PLANNED = ["a", "b", "c"]


def test_all_judged_and_clean_is_conformant() -> None:
    verdict = decide(violations=0, responses=9, planned=PLANNED, judged={"a", "b", "c"}, infrastructure=[])
    assert verdict.code == ExitCode.OK and verdict.complete and verdict.label == "conformant"


def test_an_unjudged_operation_is_exit_two_naming_it() -> None:
    verdict = decide(violations=0, responses=9, planned=PLANNED, judged={"a"}, infrastructure=[])
    assert verdict.code == ExitCode.ERROR
    assert verdict.unjudged == ("b", "c")
    assert "2 of 3 selected operation(s) got no judged response: b, c" in verdict.reason


def test_allow_incomplete_turns_unjudged_operations_into_a_warning() -> None:
    verdict = decide(
        violations=0, responses=9, planned=PLANNED, judged={"a"}, infrastructure=[], allow_incomplete=True
    )
    assert verdict.code == ExitCode.OK and not verdict.complete
    assert verdict.warnings and "b, c" in verdict.warnings[0]


def test_infrastructure_trouble_is_exit_two_even_when_incompleteness_is_allowed() -> None:
    verdict = decide(
        violations=0,
        responses=9,
        planned=PLANNED,
        judged=set(PLANNED),
        infrastructure=["2 request(s) got no usable answer"],
        allow_incomplete=True,
    )
    assert verdict.code == ExitCode.ERROR and "no usable answer" in verdict.reason


def test_nothing_judged_is_never_a_pass() -> None:
    verdict = decide(
        violations=0, responses=0, planned=[], judged=set(), infrastructure=[], allow_incomplete=True
    )
    assert verdict.code == ExitCode.ERROR and "nothing was judged" in verdict.reason


def test_judged_violations_are_exit_one_and_keep_what_was_not_judged() -> None:
    verdict = decide(violations=2, responses=9, planned=PLANNED, judged={"a"}, infrastructure=["reset"])
    assert verdict.code == ExitCode.FINDINGS
    assert verdict.unjudged == ("b", "c") and "reset" in verdict.warnings
