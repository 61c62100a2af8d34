"""The pytest plugin: inert until used, fixtures over the real mock, ``contract`` on real payloads and
against a deliberately broken server, staging safety, strict mode (pytester runs the inner suites)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
from spec._support import Payload, load_spec_dict, payloads

from contracts.checks import unregister
from contracts.mock import create_app, serve_in_thread
from contracts.pytest_plugin import Contract
from contracts.spec import Spec, load_spec

pytest_plugins = ["pytester"]

SPEC = load_spec()
SPEC_DICT = load_spec_dict()
CREDS = ("staging-user", "staging-pass-9f3k")
RESPONSES = [p for p in payloads() if p.side == "response"]


def _inner(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(source)
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q", *args)


# -- inert unless used ------------------------------------------------------------------------


def test_importing_the_plugin_loads_nothing_heavy() -> None:
    code = (
        "import sys, contracts.pytest_plugin\n"
        "heavy = ('schemathesis', 'openapi_core', 'uvicorn', 'hypothesis', 'generated', 'httpx', 'starlette')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_suite_that_does_not_use_it_is_untouched(pytester: pytest.Pytester) -> None:
    result = _inner(pytester, "def test_plain():\n    assert True\n", "-W", "error")
    result.assert_outcomes(passed=1)
    assert "contract" not in result.stdout.str()
    help_text = pytester.runpytest_inprocess("--help").stdout.str()
    for flag in (
        "--contracts-base-url",
        "--contracts-allow-writes",
        "--contracts-strict",
        "--contracts-spec",
    ):
        assert flag in help_text


def test_a_bad_base_url_is_one_usage_line(pytester: pytest.Pytester) -> None:
    result = _inner(pytester, "def test_plain():\n    pass\n", "--contracts-base-url=ftp://staging")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "bad --contracts-base-url 'ftp://staging': the scheme must be http or https" in result.stderr.str()


# -- the mock fixtures ------------------------------------------------------------------------

MOCK_SUITE = """
import httpx

def _group(target):
    return next(iter(target.app.state.store.groups))

def test_delete(contracts_mock):
    url = f"{contracts_mock.url}/v3/targetGroups/{_group(contracts_mock)}"
    assert httpx.delete(url, auth=contracts_mock.auth).status_code == 200
    assert httpx.get(url, auth=contracts_mock.auth).status_code == 404

def test_still_there(contracts_mock):
    url = f"{contracts_mock.url}/v3/targetGroups/{_group(contracts_mock)}"
    assert httpx.get(url, auth=contracts_mock.auth).status_code == 200

def test_credentials_are_checked(contracts_mock):
    url = f"{contracts_mock.url}/v3/targetGroups/channels"
    assert not contracts_mock.remote and contracts_mock.url.startswith("http://127.0.0.1:")
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, auth=(contracts_mock.auth[0], "wrong")).status_code == 401

DELETED = []

def test_shared_delete(contracts_mock_session):
    DELETED.append(f"{contracts_mock_session.url}/v3/targetGroups/{_group(contracts_mock_session)}")
    assert httpx.delete(DELETED[0], auth=contracts_mock_session.auth).status_code == 200

def test_shared_state(contracts_mock_session):
    assert httpx.get(DELETED[0], auth=contracts_mock_session.auth).status_code == 404
"""


def test_mock_fixtures_fresh_per_test_or_shared(pytester: pytest.Pytester) -> None:
    _inner(pytester, MOCK_SUITE).assert_outcomes(passed=5)


CONTRACT_SUITE = """
import httpx, requests, pytest
from generated.client import TargetGroupNotFoundError

def test_httpx_requests_and_client(contracts_mock, contract):
    url = f"{contracts_mock.url}/v3/targetGroups"
    contract.validate(httpx.get(url, auth=contracts_mock.auth))
    contract.validate(requests.get(url, auth=contracts_mock.auth, timeout=10))
    contract.validate(httpx.get(f"{url}/987654321", auth=contracts_mock.auth))
    with contracts_mock.client() as client, pytest.raises(TargetGroupNotFoundError) as caught:
        client.get_targets(target_group_id=987654321)
    contract.validate(caught.value.response)
"""


def test_contract_passes_the_mock_s_answers(pytester: pytest.Pytester) -> None:
    _inner(pytester, CONTRACT_SUITE).assert_outcomes(passed=1)


# -- against a deliberately broken server -----------------------------------------------------


class Broken:
    """The real mock with its 200 target-group answers broken: an enum's casing, a type, no ``errors``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        payload = b"".join(chunks)
        if start["status"] == 200 and scope["path"].startswith("/v3/targetGroups"):
            body = json.loads(payload)
            data = body["data"]
            for item in data if isinstance(data, list) else [data]:
                if isinstance(item, dict):
                    item["trackingType"] = "Streaks"
                    item["id"] = "not-a-number"
            del body["errors"]
            payload = json.dumps(body).encode()
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send({"type": "http.response.body", "body": payload})


@pytest.fixture
def broken(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The real mock behind a wrapper that breaks target-group answers, on loopback."""
    monkeypatch.setenv("CONTRACTS_BASIC_USER", CREDS[0])
    monkeypatch.setenv("CONTRACTS_BASIC_PASSWORD", CREDS[1])
    with serve_in_thread(Broken(create_app(SPEC, credentials=CREDS))) as url:
        yield url


BROKEN_SUITE = """
import httpx

def test_read(contracts_mock, contract):
    assert contracts_mock.remote and contracts_mock.auth is not None
    response = httpx.get(f"{contracts_mock.url}/v3/targetGroups/18044", auth=contracts_mock.auth)
    assert response.status_code == 200
    contract.validate(response)
"""


def test_every_finding_of_a_broken_server_in_one_assertion(pytester: pytest.Pytester, broken: str) -> None:
    result = _inner(pytester, BROKEN_SUITE, f"--contracts-base-url={broken}")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "GET /v3/targetGroups/18044 → 200 (get-target-groups-id):" in out
    assert "contract violation(s)" in out
    for expected in (
        "envelope_shape at /errors",
        "enum_value_documented at /data/trackingType",
        "response_schema_conformance at /data/id",
        "openapi_core at /data",  # the reference validator reports the object-or-array oneOf as a whole
        "spec: #/paths/~1v3~1targetGroups~1{targetGroupId}/get/responses/200",
    ):
        assert expected in out, expected
    assert CREDS[1] not in out


GENERATED_SUITE = """
from contracts.pytest_plugin import call_and_validate, spec_cases

schema = spec_cases(max_examples=1).include(operation_id="get-target-groups-all")

@schema.parametrize()
def test_generated(case, contracts_mock_session, contract):
    call_and_validate(case, contracts_mock_session, contract)
"""


def test_generated_cases_pass_on_the_mock_and_fail_on_a_broken_server(
    pytester: pytest.Pytester, broken: str
) -> None:
    _inner(pytester, GENERATED_SUITE).assert_outcomes(passed=1)
    result = _inner(pytester, GENERATED_SUITE, f"--contracts-base-url={broken}")
    result.assert_outcomes(failed=1)
    assert "enum_value_documented" in result.stdout.str()


# -- staging safety ---------------------------------------------------------------------------

WRITE_SUITE = """
import pytest
from generated.client import Client

def test_write(contracts_mock):
    with contracts_mock.client() as client, pytest.warns(DeprecationWarning):
        client.create_target_groups(body={"name": "plugin-write-test", "totalPeriods": 1})

def test_raw_write(contracts_mock):
    url = f"{contracts_mock.url}/v3/targetGroups/18044"
    assert contracts_mock.session().delete(url, auth=contracts_mock.auth, timeout=10).status_code == 200

def test_read(contracts_mock):
    with contracts_mock.client() as client:
        assert client.get_target_channels().data is not None
"""


def test_writes_to_a_base_url_need_permission(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTRACTS_BASIC_USER", CREDS[0])
    monkeypatch.setenv("CONTRACTS_BASIC_PASSWORD", CREDS[1])
    app = create_app(SPEC, credentials=CREDS)
    with serve_in_thread(app) as url:
        monkeypatch.setenv("CONTRACTS_BASE_URL", url)
        result = _inner(pytester, WRITE_SUITE, "-rs")
        result.assert_outcomes(passed=1, skipped=2)
        result.stdout.fnmatch_lines(
            ["*not judged: POST /v3/targetGroups: writes are not allowed (use --contracts-allow-writes)*"]
        )
        assert 18044 in app.state.store.groups and "plugin-write-test" not in app.state.store.names
        _inner(pytester, WRITE_SUITE, "--contracts-allow-writes").assert_outcomes(passed=3)
        assert 18044 not in app.state.store.groups and "plugin-write-test" in app.state.store.names


# -- strict mode ------------------------------------------------------------------------------

WARNING_CHECK = """
from contracts import Finding, check

@check(requires=["success"])
def plugin_test_warning(ctx):
    yield Finding("plugin_test_warning", "a warning for the test", ctx.operation.operation_id, severity="warning")
"""

WARNING_SUITE = """
import httpx

def test_read(contracts_mock, contract):
    contract.validate(httpx.get(f"{contracts_mock.url}/v3/targetGroups/channels", auth=contracts_mock.auth))
"""


@pytest.fixture
def warning_check() -> Iterator[None]:
    yield
    unregister("plugin_test_warning")


@pytest.mark.usefixtures("warning_check")
def test_warnings_fail_only_with_strict(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(WARNING_CHECK)
    lenient = _inner(pytester, WARNING_SUITE)
    lenient.assert_outcomes(passed=1)
    lenient.stdout.fnmatch_lines(
        ["*contract warnings*", "*plugin_test_warning at /: a warning for the test*"]
    )
    strict = _inner(pytester, WARNING_SUITE, "--contracts-strict")
    strict.assert_outcomes(failed=1)
    strict.stdout.fnmatch_lines(["*warning plugin_test_warning at /: a warning for the test*"])


# -- contract on real payloads: our checks and openapi-core agree ------------------------------


def _response(spec: Spec, payload: Payload, body: Any) -> httpx.Response:
    op = spec.operation(payload.slug)
    path = op.path
    for param in op.parameters():
        if param["in"] == "path":
            path = path.replace("{" + param["name"] + "}", "1")
    return httpx.Response(
        payload.status(SPEC_DICT),
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        request=httpx.Request(op.method, f"http://api.test{path}"),
    )


def _split(contract: Contract, response: Any) -> tuple[set[str], set[str]]:
    found = contract.findings(response)
    core = {f.pointer for f in found if f.check == "openapi_core"}
    ours = {f.check for f in found if f.check != "openapi_core"}
    return ours, core


@pytest.mark.parametrize("payload", RESPONSES, ids=lambda p: p.path.stem)
def test_both_validators_accept_every_real_payload(contract: Contract, payload: Payload) -> None:
    assert _split(contract, _response(SPEC, payload, payload.body())) == (set(), set())


@pytest.mark.parametrize(
    "payload", [p for p in RESPONSES if p.status_label == "200"], ids=lambda p: p.path.stem
)
def test_both_validators_reject_a_broken_real_payload(contract: Contract, payload: Payload) -> None:
    body = payload.body()
    body.pop("data")
    ours, core = _split(contract, _response(SPEC, payload, body))
    assert ours and core
    body = {**payload.body(), "errors": "none"}
    ours, core = _split(contract, _response(SPEC, payload, body))
    assert "errors_array_shape" in ours and "/errors" in core


def test_a_requests_response_and_a_readable_failure(contract: Contract) -> None:
    payload = next(p for p in RESPONSES if p.slug == "get-target-groups-id")
    body = payload.body()
    body["data"]["trackingType"] = "Streaks"
    raw = requests.Response()
    raw.status_code = 200
    raw._content = json.dumps(body).encode()
    raw.headers["Content-Type"] = "application/json"
    raw.request = requests.Request("GET", "http://api.test/v3/targetGroups/20").prepare()
    with pytest.raises(AssertionError) as caught:
        contract.validate(raw)
    lines = str(caught.value).splitlines()
    assert lines[0] == "GET /v3/targetGroups/20 → 200 (get-target-groups-id): 2 contract violation(s)"
    assert "  error enum_value_documented at /data/trackingType: " in lines[1]
    assert any(line.startswith("      spec: #/components/schemas/") for line in lines)
    assert any(line.startswith("  error openapi_core at /data:") for line in lines)


def test_validate_request(contract: Contract) -> None:
    base = "http://api.test/v3.1/leaderboards/targetGroups/20"
    auth = {"Authorization": "Basic dXNlcjpwYXNz"}
    contract.validate_request(httpx.Request("GET", base, params={"targetId": 3}, headers=auth))
    with pytest.raises(AssertionError, match=r"openapi_core_request .*targetId"):
        contract.validate_request(httpx.Request("GET", base, headers=auth))
    bad_body = requests.Request(
        "POST", "http://api.test/v3/targetGroups/20/targetPeriods", json=[], headers=auth
    )
    with pytest.raises(AssertionError, match="openapi_core_request"):
        contract.validate_request(bad_body)
    with pytest.raises(AssertionError, match="GET /nowhere: no operation of the spec serves it"):
        contract.validate_request(httpx.Request("GET", "http://api.test/nowhere"))


def test_a_response_without_its_request_is_a_readable_failure(contract: Contract) -> None:
    with pytest.raises(AssertionError, match="carries no request"):
        contract.validate(httpx.Response(200, json={"data": [], "errors": None}))
