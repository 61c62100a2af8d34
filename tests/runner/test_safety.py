import httpx
import pytest

from contracts.errors import UsageError
from contracts.runner.safety import Safety, WriteBlocked, check_base_url, is_loopback
from contracts.runner.throttle import Throttle, schemathesis_rate


def test_writes_are_blocked_unless_allowed() -> None:
    guard = Safety(allow_writes=False, prefix="contracts-1-")
    assert guard.before_request("GET", "/v3/targetGroups", None) is None
    with pytest.raises(WriteBlocked):
        guard.before_request("POST", "/v3/targetGroups", {"name": "x"})


def test_created_names_carry_the_run_prefix_and_are_remembered() -> None:
    guard = Safety(allow_writes=True, prefix="contracts-1-")
    body = guard.before_request("POST", "/v3/targetGroups", {"name": "x"})
    assert body == {"name": "contracts-1-x"}
    assert guard.before_request("POST", "/", {"name": "y" * 195}) == {"name": "y" * 195}
    guard.created("create-target-groups", 200, {"data": {"id": 7}})
    guard.created("create-target-groups", 400, {"data": None})
    assert guard.created_groups == [7]


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:1", True),
        ("http://localhost", True),
        ("http://[::1]:8", True),
        ("https://eu.api.capillarytech.com", False),
        ("http://10.0.0.1", False),
    ],
)
def test_loopback(url: str, loopback: bool) -> None:
    assert check_base_url(url) == url
    assert is_loopback(url) is loopback


def test_retry_after_is_honoured() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(429, headers={"Retry-After": "7"}) if len(calls) == 1 else httpx.Response(200)

    slept: list[float] = []
    throttle = Throttle(rate=0, sleep=slept.append)
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        assert throttle.request(client, "GET", "http://h/x").status_code == 200
    assert slept == [7.0]
    assert "429" in throttle.events[0]


def test_rate_strings() -> None:
    assert schemathesis_rate(0) is None
    assert schemathesis_rate(2) == "2/s"
    assert schemathesis_rate(0.5) == "30/m"
    with pytest.raises(UsageError):
        check_base_url("ftp://x")
