"""Remembered verdicts: the same report as judging every answer, and a changed answer judged afresh."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from contracts import checks
from contracts.checks import Check
from contracts.exchange import Exchange
from contracts.proxy.verdicts import Verdicts
from contracts.spec import Spec

from ._upstreams import AUTH, Broken, mock, proxied, serve
from .test_app import BROKEN, GROUP, MISSING, ON_ERROR, _break

SESSION = [
    ("enum_value_documented", GROUP),
    ("", GROUP),
    ("enum_value_documented", GROUP),
    ("date_format", GROUP),
    ("", GROUP),
    ("error_code_documented", MISSING),
    ("enum_value_documented", GROUP),
    ("error_code_documented", MISSING),
    ("", MISSING),
]


def _session(spec: Spec, cache: int) -> tuple[Any, list[str], int, dict[str, Any]]:
    with (
        serve(Broken(mock(spec), _break)) as upstream,
        proxied(spec, upstream, verdict_cache=cache) as running,
    ):
        headers = [
            httpx.get(running.url + path, headers={**AUTH, "X-Break": which}).headers["contracts-violations"]
            for which, path in SESSION
        ]
    outcome = running.outcome
    assert outcome is not None
    table = running.proxy.ledger.coverage.table()
    return outcome, headers, running.proxy.app.verdicts.hits, table


def test_remembered_verdicts_give_the_report_judging_every_answer_gives(spec: Spec) -> None:
    remembered, headers, hits, table = _session(spec, 4096)
    fresh, fresh_headers, fresh_hits, fresh_table = _session(spec, 0)
    assert hits == 4 and fresh_hits == 0  # 3 enum, 2 clean, 2 error-code answers: 4 repeats
    assert headers == fresh_headers
    assert json.dumps(table, sort_keys=True) == json.dumps(fresh_table, sort_keys=True)
    assert table["operations"]["get-target-groups-id"]["responses"] == len(SESSION)

    def shown(outcome: Any) -> list[tuple[str, str, int]]:
        return sorted((f.check, f.spec_pointer, f.extra["count"]) for f in outcome.findings)

    assert shown(remembered) == shown(fresh)
    assert ("enum_value_documented", 3) in {(c, n) for c, _, n in shown(remembered)}
    for key in ("responses", "violations", "occurrences", "exit_code"):
        assert remembered.summary[key] == fresh.summary[key], key


def test_an_answer_that_differs_only_in_a_judged_header_is_judged_afresh(
    with_header: Spec, spec: Spec
) -> None:
    """Same body each time; the documented X-Request-Id or the media type comes and goes."""
    sequence = ["", "response_headers_documented", "", "content_type_documented", ""]
    with serve(Broken(mock(spec), _break)) as upstream, proxied(with_header, upstream) as running:
        headers = [
            httpx.get(running.url + GROUP, headers={**AUTH, "X-Break": which}).headers["contracts-violations"]
            for which in sequence
        ]
    assert headers[0] == headers[2] == headers[4] == "0"
    assert "response_headers_documented" in headers[1]
    assert "content_type_documented" in headers[3]
    assert running.proxy.app.verdicts.hits == 2


def test_builtin_checks_read_nothing_the_key_leaves_out(with_header: Spec, spec: Spec) -> None:
    """The cache's premise, over every built-in check: the request and undocumented headers never matter."""
    with serve(mock(spec)) as upstream:
        answers = {path: httpx.get(upstream + path, headers=AUTH) for path in (GROUP, MISSING)}
    for check in BROKEN:
        path = MISSING if check in ON_ERROR else GROUP
        got = answers[path]
        status, headers, body = _break(
            path, got.status_code, {**dict(got.headers), "x-break": check}, got.json()
        )
        raw = json.dumps(body).encode()

        plain = _judged(with_header, status, raw, headers=headers)
        assert check in {c for c, _, _ in plain}
        other = _judged(
            with_header,
            status,
            raw,
            headers={**headers, "x-trace": "1", "date": "Thu, 01 Jan 1970 00:00:00 GMT"},
            method="GET",
            url="http://elsewhere.example/v3/targetGroups/1?x=2",
            request_headers={"authorization": "Bearer other", "cookie": "a=b"},
            request_body=b'{"name": 5}',
        )
        assert other == plain, check


def _judged(spec: Spec, status: int, raw: bytes, **exchange: Any) -> list[tuple[str, str, str]]:
    judged = Exchange(operation="get-target-groups-id", status=status, body=raw, **exchange)
    return sorted((f.check, f.spec_pointer, f.message) for f in checks.iter_findings(spec, judged))


def test_a_check_from_outside_the_registry_modules_turns_remembering_off(spec: Spec) -> None:
    builtin = checks.select()
    assert Verdicts(spec, builtin, 4096).size == 4096
    custom = Check("team_rule", lambda ctx: [], frozenset(), "team.checks")
    off = Verdicts(spec, [*builtin, custom], 4096)
    op = spec.operation("get-target-groups-id")
    assert off.size == 0 and off.key(op, 200, [], b"{}") is None


def test_remembered_verdicts_are_bounded_least_recently_used_first(spec: Spec) -> None:
    from contracts.report.coverage import Coverage

    verdicts = Verdicts(spec, checks.select(), 2)
    op = spec.operation("get-target-groups-id")
    coverage = Coverage(spec)
    keys = [verdicts.key(op, 200, [("content-type", "application/json")], b"%d" % n) for n in range(3)]
    verdicts.put(keys[0], [], ())
    verdicts.put(keys[1], [], ())
    assert verdicts.get(keys[0], coverage) is not None  # 0 is now the most recent
    verdicts.put(keys[2], [], ())
    assert verdicts.get(keys[1], coverage) is None
    assert verdicts.get(keys[0], coverage) is not None and verdicts.get(keys[2], coverage) is not None


@pytest.mark.parametrize("header", [True, False])
def test_the_verdict_lands_in_report_and_har_whether_or_not_it_is_in_the_answer(
    spec: Spec, tmp_path: Any, header: bool
) -> None:
    """Without the header (and without --strict) the answer goes out before it is judged."""
    har = tmp_path / "s.har"
    with (
        serve(Broken(mock(spec), _break)) as upstream,
        proxied(spec, upstream, header=header, record=str(har)) as running,
    ):
        answers = [
            httpx.get(running.url + GROUP, headers={**AUTH, "X-Break": "enum_value_documented"})
            for _ in range(3)
        ]
    assert all(a.status_code == 200 for a in answers)
    assert all(("contracts-violations" in a.headers) is header for a in answers)
    outcome = running.outcome
    assert outcome is not None and int(outcome.exit_code) == 1
    assert [f.extra["count"] for f in outcome.findings] == [3]
    entries = json.loads(har.read_text())["log"]["entries"]
    assert [e["_contracts"]["violations"] for e in entries] == [["enum_value_documented"]] * 3
