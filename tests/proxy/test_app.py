"""The proxy on loopback in front of the real mock and of upstreams that break each check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from contracts.mock import free_port
from contracts.spec import Spec

from ._upstreams import AUTH, Broken, Fixed, mock, proxied, serve

GROUP = "/v3/targetGroups/18044"
MISSING = "/v3/targetGroups/999999"


def _break(path: str, status: int, headers: dict[str, str], body: Any) -> tuple[int, dict[str, str], Any]:
    """Break the check named by the request's ``X-Break`` header (the reply is otherwise the mock's)."""
    which = headers.pop("x-break", "")
    if which != "response_headers_documented":
        headers["x-request-id"] = "beef01"
    data: Any = body.get("data") if isinstance(body, dict) else None
    if which == "status_code_documented":
        status = 418
    elif which == "content_type_documented":
        headers["content-type"] = "text/html"
    elif which == "response_schema_conformance":
        data["totalPeriods"] = "two"
    elif which == "envelope_shape":
        body = [body]
    elif which == "data_iff_success":
        body["data"] = None
    elif which == "errors_array_shape":
        body["errors"] = "not found"
    elif which == "warnings_shape":
        body["warnings"] = "careful"
    elif which == "enum_value_documented":
        data["trackingType"] = "SOMETIMES"
    elif which == "error_code_documented":
        body["errors"][0]["code"] = 999999
    elif which == "error_code_matches_status":
        body["errors"][0]["code"] = 300004
    elif which == "date_format":
        data["fromDate"] = "19/02/2024"
    elif which == "timestamp_format":
        data["attribution"]["createdOn"] = "yesterday"
    elif which == "undocumented_property":
        data["nmae"] = data.get("name")
    return status, headers, body


ON_ERROR = {"errors_array_shape", "error_code_documented", "error_code_matches_status"}
BROKEN = [
    "status_code_documented",
    "content_type_documented",
    "response_schema_conformance",
    "envelope_shape",
    "data_iff_success",
    "errors_array_shape",
    "warnings_shape",
    "enum_value_documented",
    "error_code_documented",
    "error_code_matches_status",
    "date_format",
    "timestamp_format",
    "response_headers_documented",
    "undocumented_property",
]


def test_every_registered_check_is_broken_here(spec: Spec) -> None:
    from contracts.checks import select

    assert sorted(BROKEN) == sorted(c.name for c in select())


def test_conformant_upstream_passes_through_unchanged(spec: Spec) -> None:
    with serve(mock(spec)) as upstream:
        direct = httpx.get(upstream + GROUP, headers=AUTH)
        with proxied(spec, upstream) as running:
            answer = httpx.get(running.url + GROUP + "?includePeriods=false", headers=AUTH)
    assert answer.status_code == 200
    assert answer.headers["contracts-violations"] == "0"
    assert answer.json() == direct.json()
    assert running.outcome is not None and int(running.outcome.exit_code) == 0
    assert running.outcome.summary["responses"] == 1


def test_each_broken_check_is_detected_and_blamed_on_the_response(with_header: Spec, spec: Spec) -> None:
    with serve(Broken(mock(spec), _break)) as upstream, proxied(with_header, upstream) as running:
        for check in BROKEN:
            path = MISSING if check in ON_ERROR else GROUP
            answer = httpx.get(running.url + path, headers={**AUTH, "X-Break": check})
            header = answer.headers["contracts-violations"]
            assert check in header.split("; ", 1)[1].split(", "), (check, header)
    outcome = running.outcome
    assert outcome is not None and int(outcome.exit_code) == 1
    found = {f.check for f in outcome.findings}
    assert set(BROKEN) <= found
    assert {f.extra["side"] for f in outcome.findings} == {"response"}


def test_a_bad_request_body_is_blamed_on_the_client(spec: Spec) -> None:
    with serve(mock(spec)) as upstream, proxied(spec, upstream) as running:
        answer = httpx.post(
            running.url + "/v3/targetGroups", headers=AUTH, json={"name": 5, "totalPeriods": 1}
        )
        missing = httpx.get(running.url + "/v3.1/leaderboards/targetGroups/18044", headers=AUTH)
    assert answer.status_code == 400  # the mock refuses it, with a documented 300004: the upstream is right
    assert answer.headers["contracts-violations"].startswith("1; request_body_conformance")
    assert "request_parameter_conformance" in missing.headers["contracts-violations"]
    outcome = running.outcome
    assert outcome is not None and int(outcome.exit_code) == 1
    by_check = {f.check: f for f in outcome.findings}
    body = by_check["request_body_conformance"]
    assert body.extra["side"] == "request" and body.pointer == "/name"
    assert body.spec_pointer.startswith("/components/schemas/") or "/requestBody/" in body.spec_pointer
    param = by_check["request_parameter_conformance"]
    assert param.extra["side"] == "request" and "targetId" in param.message
    assert all(f.extra["side"] == "request" for f in outcome.findings)


def test_violations_are_deduplicated_with_counts_and_one_example(spec: Spec) -> None:
    with serve(Broken(mock(spec), _break)) as upstream, proxied(spec, upstream) as running:
        for _ in range(5):
            httpx.get(running.url + GROUP, headers={**AUTH, "X-Break": "enum_value_documented"})
        for _ in range(2):
            httpx.get(running.url + GROUP, headers={**AUTH, "X-Break": "date_format"})
        httpx.get(running.url + GROUP, headers=AUTH)
    outcome = running.outcome
    assert outcome is not None
    counts = {f.check: f.extra["count"] for f in outcome.findings}
    assert counts == {"enum_value_documented": 5, "date_format": 2}
    enum = next(f for f in outcome.findings if f.check == "enum_value_documented")
    assert enum.extra["first_seen"] < enum.extra["last_seen"]
    example = enum.extra["example"]
    assert example["response"]["status"] == 200 and "SOMETIMES" in example["response"]["body"]
    assert example["request"]["headers"]["authorization"] == "[REDACTED]"
    assert enum.extra["curl"].startswith("curl -X GET")
    assert outcome.summary["exchanges"] == 8 and outcome.summary["occurrences"] == 7


def test_unmatched_requests_are_reported_and_nothing_matched_is_exit_2(spec: Spec) -> None:
    with serve(mock(spec)) as upstream, proxied(spec, upstream) as running:
        answer = httpx.get(running.url + "/v9/nothing", headers=AUTH)
        httpx.get(running.url + "/v9/nothing", headers=AUTH)
    assert answer.status_code == 404 and answer.headers["contracts-violations"] == "0"
    outcome = running.outcome
    assert outcome is not None and int(outcome.exit_code) == 2
    assert "matched" in outcome.summary["reason"]
    [unmatched] = [i for i in outcome.summary["infrastructure"] if i["kind"] == "unmatched"]
    assert "GET /v9/nothing" in unmatched["message"] and "2x" in unmatched["message"]
    assert "unmatched: GET /v9/nothing" in running.output.getvalue()


def test_strict_answers_a_violating_exchange_with_a_502_envelope(spec: Spec, tmp_path: Path) -> None:
    har = tmp_path / "strict.har"
    with (
        serve(Broken(mock(spec), _break)) as upstream,
        proxied(spec, upstream, strict=True, record=str(har)) as running,
    ):
        bad = httpx.get(running.url + GROUP, headers={**AUTH, "X-Break": "enum_value_documented"})
        good = httpx.get(running.url + GROUP, headers=AUTH)
    assert bad.status_code == 502
    body = bad.json()
    assert body["data"] is None and body["errors"][0]["code"] == 502
    assert "enum_value_documented" in body["errors"][0]["message"]
    assert good.status_code == 200 and good.json()["data"]["id"] == 18044
    recorded = json.loads(har.read_text())["log"]["entries"][0]  # what the upstream said, not the 502
    assert recorded["response"]["status"] == 200 and recorded["_contracts"]["answered"] == 502


def test_read_only_refuses_writes_with_the_catalogued_403(spec: Spec) -> None:
    forbidden = next(e for e in spec.error_catalogue.values() if e.status == 403)
    upstream_app = Broken(mock(spec), lambda p, s, h, b: (s, h, b))
    with serve(upstream_app) as upstream, proxied(spec, upstream, read_only=True) as running:
        refused = httpx.delete(running.url + GROUP, headers=AUTH)
        allowed = httpx.get(running.url + GROUP, headers=AUTH)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == forbidden.code
    assert [(m, p) for m, p, _ in upstream_app.requests] == [("GET", GROUP)]
    assert allowed.status_code == 200
    assert running.outcome is not None and running.outcome.summary["refused"] == 1


def test_fallback_answers_from_the_mock_when_the_upstream_is_down(spec: Spec) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    with proxied(spec, closed, fallback="mock") as running:
        answer = httpx.get(running.url + GROUP, headers=AUTH)
    assert answer.status_code == 200 and answer.json()["data"]["id"] == 18044
    assert answer.headers["contracts-mocked"] == "true"
    outcome = running.outcome
    assert outcome is not None and int(outcome.exit_code) == 2  # the upstream itself was never judged
    assert outcome.summary["mocked"] == 1 and "never reachable" in outcome.summary["reason"]


def test_fallback_on_501_and_no_fallback_is_a_502_envelope(spec: Spec) -> None:
    unimplemented = Fixed(501, {"content-type": "text/plain"}, b"not implemented")
    with serve(unimplemented) as upstream, proxied(spec, upstream, fallback="mock") as running:
        answer = httpx.get(running.url + GROUP, headers=AUTH)
    assert answer.status_code == 200 and answer.headers["contracts-mocked"] == "true"
    assert unimplemented.seen == 1
    closed = f"http://127.0.0.1:{free_port()}"
    with proxied(spec, closed) as running:
        down = httpx.get(running.url + GROUP, headers=AUTH)
    assert down.status_code == 502 and down.json()["errors"][0]["code"] == 502
    assert running.outcome is not None and int(running.outcome.exit_code) == 2


def test_retry_after_is_passed_through_and_is_not_a_violation(spec: Spec) -> None:
    busy = Fixed(503, {"content-type": "text/plain", "retry-after": "7"}, b"busy")
    with serve(busy) as upstream, proxied(spec, upstream) as running:
        answer = httpx.get(running.url + GROUP, headers=AUTH)
    assert answer.status_code == 503 and answer.headers["retry-after"] == "7"
    assert answer.headers["contracts-violations"] == "0"
    outcome = running.outcome
    assert outcome is not None and outcome.findings == [] and int(outcome.exit_code) == 2


def test_no_header_turns_the_header_off(spec: Spec) -> None:
    with serve(mock(spec)) as upstream, proxied(spec, upstream, header=False) as running:
        answer = httpx.get(running.url + GROUP, headers=AUTH)
    assert answer.status_code == 200 and "contracts-violations" not in answer.headers


def test_reports_and_har_of_a_session(spec: Spec, tmp_path: Path) -> None:
    har = tmp_path / "session.har"
    reports = tmp_path / "reports"
    with (
        serve(Broken(mock(spec), _break)) as upstream,
        proxied(spec, upstream, record=str(har), report=str(reports)) as running,
    ):
        for _ in range(3):
            httpx.get(running.url + GROUP, headers={**AUTH, "X-Break": "timestamp_format"})
        httpx.post(running.url + "/v3/targetGroups", headers=AUTH, json={"name": 5})
    assert {p.name for p in reports.iterdir()} >= {
        "coverage.json",
        "junit.xml",
        "report.html",
        "report.json",
        "summary.md",
    }
    report = json.loads((reports / "report.json").read_text())
    timestamp = next(v for v in report["violations"] if v["check"] == "timestamp_format")
    assert timestamp["extra"]["count"] == 3 and timestamp["extra"]["side"] == "response"
    assert timestamp["curl"].startswith("curl -X GET")
    assert any(v["extra"]["side"] == "request" for v in report["violations"])
    document = json.loads(har.read_text())
    entries = document["log"]["entries"]
    assert len(entries) == 4
    assert entries[0]["_contracts"]["violations"] == ["timestamp_format"]
    assert entries[3]["request"]["postData"]["text"] == '{"name":5}'
    assert "request_body_conformance" in (reports / "summary.md").read_text()


def test_bodies_over_the_limit_are_streamed_through_unjudged(spec: Spec) -> None:
    with serve(mock(spec)) as upstream:
        direct = httpx.get(upstream + GROUP, headers=AUTH).content
        with proxied(spec, upstream, max_body=1024) as running:
            answer = httpx.get(running.url + GROUP, headers=AUTH)
            big = {"name": "x" * 4000, "totalPeriods": 1, "trackingType": "DEFAULT"}
            posted = httpx.post(running.url + "/v3/targetGroups", headers=AUTH, json=big)
    assert len(direct) > 1024 and answer.content == direct
    assert answer.headers["contracts-violations"].startswith("unjudged")
    assert posted.status_code == 400  # the mock's 310008 for a name over 200 characters: the body got through
    assert posted.json()["errors"][0]["code"] in spec.operation("create-target-groups").error_codes
    outcome = running.outcome
    assert outcome is not None
    assert any("unjudged" in i["message"] for i in outcome.summary["infrastructure"])


def test_hostile_request_bodies_get_one_finding_not_a_crash(spec: Spec) -> None:
    deep = b"[" * 50_000 + b"]" * 50_000
    with serve(mock(spec)) as upstream, proxied(spec, upstream) as running:
        nested = httpx.post(
            running.url + "/v3/targetGroups",
            headers={**AUTH, "Content-Type": "application/json"},
            content=deep,
        )
        broken = httpx.post(
            running.url + "/v3/targetGroups",
            headers={**AUTH, "Content-Type": "application/json"},
            content=b"{",
        )
        wrong = httpx.post(
            running.url + "/v3/targetGroups", headers={**AUTH, "Content-Type": "text/csv"}, content=b"a,b"
        )
    for answer in (nested, broken):
        assert "request_body_conformance" in answer.headers["contracts-violations"]
    assert "request_content_type_documented" in wrong.headers["contracts-violations"]
    assert running.outcome is not None and int(running.outcome.exit_code) == 1


def test_compressed_answers_pass_through_as_sent_and_are_judged_decoded(spec: Spec) -> None:
    import gzip

    with serve(mock(spec)) as upstream:
        body = httpx.get(upstream + GROUP, headers=AUTH).json()
    body["data"]["trackingType"] = "SOMETIMES"
    packed = gzip.compress(json.dumps(body).encode())
    headers = {"content-type": "application/json", "content-encoding": "gzip"}
    with serve(Fixed(200, headers, packed)) as upstream, proxied(spec, upstream) as running:
        raw = httpx.get(running.url + GROUP, headers={**AUTH, "Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip" and raw.json()["data"]["trackingType"] == "SOMETIMES"
    assert raw.headers["contracts-violations"] == "1; enum_value_documented"
