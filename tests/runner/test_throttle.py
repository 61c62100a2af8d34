"""Retry-After, backoff and pacing of contracts/runner/throttle.py, on httpx's MockTransport."""

import time

import httpx
import pytest

from contracts.runner.budget import Breaker, Budget, Stopped
from contracts.runner.throttle import Throttle, default_rate, retry_after


def _client(statuses: list[int], headers: dict[str, str] | None = None) -> tuple[httpx.Client, list[int]]:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        status = statuses[min(len(calls) - 1, len(statuses) - 1)]
        return httpx.Response(status, headers=headers or {})

    return httpx.Client(transport=httpx.MockTransport(handler)), calls


def test_retry_after_is_honoured() -> None:
    client, calls = _client([429, 200], {"Retry-After": "7"})
    slept: list[float] = []
    throttle = Throttle(rate=0, sleep=slept.append)
    with client:
        assert throttle.call("GET /x", lambda: client.get("http://h/x")).status_code == 200
    assert slept == [7.0]
    assert len(calls) == 2
    assert throttle.incidents[0].kind == "retry"
    assert "429" in throttle.incidents[0].message


def test_gives_up_after_the_retries_and_says_so() -> None:
    client, calls = _client([503], {"Retry-After": "1"})
    slept: list[float] = []
    throttle = Throttle(rate=0, retries=2, sleep=slept.append)
    with client:
        assert throttle.call("GET /x", lambda: client.get("http://h/x")).status_code == 503
    assert len(calls) == 3
    assert slept == [1.0, 1.0]
    assert throttle.counts["gave-up"] == 1


def test_a_write_is_not_retried_on_a_gateway_error() -> None:
    client, calls = _client([502, 200])
    throttle = Throttle(rate=0, sleep=lambda s: None)
    with client:
        answer = throttle.call("POST /x", lambda: client.post("http://h/x"), idempotent=False)
    assert answer.status_code == 502
    assert len(calls) == 1
    assert throttle.counts["unavailable"] == 1


def test_retry_after_forms() -> None:
    assert retry_after({"Retry-After": "3"}, 0.5) == 3.0
    assert retry_after({}, 0.5) == 0.5
    assert retry_after({"Retry-After": "soon"}, 0.5) == 0.5
    assert retry_after({"Retry-After": "100000"}, 0.5) == 3600.0
    assert retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.5) == 0.0


def test_pacing_hands_out_slots_one_interval_apart() -> None:
    slept: list[float] = []
    throttle = Throttle(rate=10, sleep=slept.append)
    for _ in range(3):
        throttle.wait()
    assert len(slept) == 2
    assert all(0 < s <= 0.2 for s in slept)


def test_default_rate() -> None:
    assert default_rate(None, True, 2.0) == 0.0
    assert default_rate(None, False, 2.0) == 2.0
    assert default_rate(5.0, False, 2.0) == 5.0


def test_a_retry_after_beyond_the_budget_is_given_up_at_once() -> None:
    client, calls = _client([503], {"Retry-After": "120"})
    slept: list[float] = []
    throttle = Throttle(rate=0, sleep=slept.append, budget=Budget(30))
    with client:
        assert throttle.call("GET /x", lambda: client.get("http://h/x")).status_code == 503
    assert slept == [] and len(calls) == 1
    assert throttle.lost == 1 and "budget" in throttle.incidents[0].message


def test_the_breaker_trips_after_three_lost_requests_and_nothing_more_is_sent() -> None:
    client, calls = _client([503], {"Retry-After": "0"})
    stopped: list[bool] = []
    throttle = Throttle(
        rate=0, retries=1, sleep=lambda s: None, breaker=Breaker(on_trip=[lambda: stopped.append(True)])
    )
    with client:
        for _ in range(3):
            throttle.call("GET /x", lambda: client.get("http://h/x"))
        assert throttle.breaker.tripped and stopped == [True]
        assert "3 requests in a row" in throttle.breaker.reason
        with pytest.raises(Stopped):
            throttle.call("GET /x", lambda: client.get("http://h/x"))
    assert len(calls) == 6, "two tries for each of three requests, none after the trip"


def test_a_good_answer_resets_the_breaker() -> None:
    client, _ = _client([503, 503, 200, 503, 503, 200], {"Retry-After": "0"})
    throttle = Throttle(rate=0, retries=0, sleep=lambda s: None)
    with client:
        for _ in range(6):
            throttle.call("GET /x", lambda: client.get("http://h/x"))
    assert not throttle.breaker.tripped and throttle.lost == 4


def test_a_spent_budget_stops_the_next_request() -> None:
    throttle = Throttle(rate=0, budget=Budget(0.01))
    time.sleep(0.02)
    with pytest.raises(Stopped):
        throttle.admit()
    assert throttle.breaker.kind == "budget" and "time budget" in throttle.breaker.reason


def test_transport_failures_name_their_root_cause() -> None:
    throttle = Throttle(rate=0)
    try:
        raise httpx.ReadError("boom") from ConnectionResetError(104, "reset")
    except httpx.ReadError as exc:
        throttle.failed("GET /x", exc)
    assert throttle.lost == 1
    assert "ReadError (ConnectionResetError)" in throttle.incidents[0].message
