"""The write guard, the run prefix and the base-URL rules of contracts/runner/safety.py."""

import pytest

from contracts.errors import UsageError
from contracts.runner.safety import Safety, WriteBlocked, check_base_url, is_loopback


def test_writes_are_blocked_unless_allowed() -> None:
    guard = Safety(allow_writes=False, prefix="contracts-1-")
    guard.guard("GET", "http://h/v3/targetGroups")
    with pytest.raises(WriteBlocked):
        guard.guard("POST", "http://h/v3/targetGroups")
    assert guard.blocked == ["POST /v3/targetGroups"]
    assert guard.sent == {"GET": 1}


def test_writes_pass_when_allowed() -> None:
    guard = Safety(allow_writes=True, prefix="contracts-1-")
    guard.guard("DELETE", "http://h/v3/targetGroups/1")
    assert guard.blocked == []
    assert guard.sent == {"DELETE": 1}


def test_created_names_carry_the_run_prefix() -> None:
    guard = Safety(allow_writes=True, prefix="contracts-1-")
    assert guard.prefixed({"name": "x"}) == {"name": "contracts-1-x"}
    long = "y" * 195
    assert guard.prefixed({"name": long}) == {"name": "contracts-1-" + long[len("contracts-1-") :]}
    assert len(guard.prefixed({"name": long})["name"]) == len(long)
    assert guard.prefixed([{"name": "a", "n": {"name": "b"}}]) == [
        {"name": "contracts-1-a", "n": {"name": "contracts-1-b"}}
    ]
    assert guard.prefixed({"name": 5, "other": "x"}) == {"name": 5, "other": "x"}
    assert guard.prefixed({"name": "contracts-1-z"}) == {"name": "contracts-1-z"}


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


@pytest.mark.parametrize("url", ["ftp://x", "http://", "http://h:port", "http://h/?q=1", "http://h/#f"])
def test_bad_base_urls_are_usage_errors(url: str) -> None:
    with pytest.raises(UsageError):
        check_base_url(url)


def test_the_runs_own_names_are_no_name_a_generated_body_can_get() -> None:
    """The targeted phase's unique values carry the run id but not the fuzzed names' prefix."""
    guard = Safety(allow_writes=True, prefix="contracts-1-")
    own = [guard.own(n) for n in (0, 7, 1500)]
    assert own == ["contracts-1.0", "contracts-1.7", "contracts-1.1500"]
    for name in own:
        for generated in (name, name[len(guard.prefix) :], "x" * len(guard.prefix) + name[-1], ""):
            assert guard.prefixed({"name": generated})["name"] != name
