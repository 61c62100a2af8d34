"""pytest plugin (entry point ``pytest11``): the project's mock, checks and safety inside any test suite.

Fixtures: ``contracts_mock`` (a fresh embedded mock per test; ``contracts_mock_session`` shares one)
yields a :class:`Target` with ``.url`` and ``.auth``; ``contract`` validates an ``httpx``,
``requests`` or schemathesis response with the whole check registry plus openapi-core's own
response validation, and raises one ``AssertionError`` listing every finding. ``--contracts-base-url``
(or ``CONTRACTS_BASE_URL``) points the same tests at a server instead of the mock, read-only as
``contracts run`` is: a write without ``--contracts-allow-writes`` stops at the transport and the test
is *skipped* (it was not judged). :func:`spec_cases` gives a schemathesis schema for
``@schema.parametrize()``.

The plugin is loaded by every pytest run once the project is installed, so it stays inert: importing
it loads nothing heavy, and nothing starts until a fixture is asked for.
"""

from __future__ import annotations

import functools
import os
import secrets
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest

from contracts.errors import ContractsError
from contracts.findings import Finding, dedupe

if TYPE_CHECKING:
    import httpx
    import requests
    from openapi_core import OpenAPI

    from contracts.runner.safety import Safety
    from contracts.runner.throttle import Throttle
    from contracts.spec import Operation, Spec
    from generated.client import AsyncClient, Client

ENV_BASE_URL = "CONTRACTS_BASE_URL"
MOCK_USER = "contracts"
_STATE = pytest.StashKey["_State"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contracts", "contract tests against the API spec (capillary-contracts)")
    group.addoption(
        "--contracts-base-url",
        metavar="URL",
        default=None,
        help=f"run the contract fixtures against URL instead of the embedded mock (env: {ENV_BASE_URL}); "
        "read-only unless --contracts-allow-writes",
    )
    group.addoption(
        "--contracts-allow-writes",
        action="store_true",
        default=False,
        help="let tests send writes (POST/PUT/PATCH/DELETE) to --contracts-base-url",
    )
    group.addoption(
        "--contracts-strict", action="store_true", default=False, help="warning findings fail too"
    )
    group.addoption("--contracts-spec", metavar="PATH", default=None, help="the spec (default: spec/v3.json)")


def pytest_configure(config: pytest.Config) -> None:
    """Check a given base URL at start-up: a bad one is one usage line, not an error in every test."""
    url = config.getoption("contracts_base_url") or os.environ.get(ENV_BASE_URL) or None
    if url is not None:
        from contracts.runner.safety import check_base_url

        try:
            check_base_url(url)
        except ContractsError as exc:
            raise pytest.UsageError(str(exc).replace("--base-url", "--contracts-base-url")) from None


@dataclass
class _State:
    """What the fixtures share across a session, built on first use."""

    config: pytest.Config
    warnings: list[tuple[str, Finding]] = field(default_factory=list)
    _spec: Spec | None = None

    @property
    def base_url(self) -> str | None:
        from contracts.runner.safety import check_base_url

        url = self.config.getoption("contracts_base_url") or os.environ.get(ENV_BASE_URL) or None
        return None if url is None else check_base_url(url)

    @property
    def strict(self) -> bool:
        return bool(self.config.getoption("contracts_strict"))

    @property
    def spec(self) -> Spec:
        if self._spec is None:
            from contracts.spec import load_spec

            path = self.config.getoption("contracts_spec")
            try:
                self._spec = load_spec(Path(path) if path else None)
            except ContractsError as exc:
                pytest.fail(f"contracts: {exc}", pytrace=False)
        return self._spec

    @property
    def openapi(self) -> OpenAPI:
        return _openapi(self.spec)


@functools.lru_cache(maxsize=4)
def _openapi(spec: Spec) -> OpenAPI:
    """openapi-core's façade, servers relative so any host (mock, staging) matches; built (and the
    document validated) once per loaded spec, not once per session."""
    from openapi_core import OpenAPI

    return OpenAPI.from_dict({**spec.raw, "servers": [{"url": "/"}]})


def _state(config: pytest.Config) -> _State:
    if _STATE not in config.stash:
        config.stash[_STATE] = _State(config)
    return config.stash[_STATE]


@dataclass
class Target:
    """The server a test talks to: the embedded mock, or ``--contracts-base-url``."""

    url: str
    auth: tuple[str, str] | None
    token: str | None = None
    remote: bool = False
    allow_writes: bool = True
    app: Any = None
    """The mock's ASGI app (``app.state.store`` is its state); None for a remote server."""
    _safety: Safety | None = field(default=None, repr=False)
    _throttle: Throttle | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        """No secret in pytest's tracebacks, which show fixture values."""
        user = self.auth[0] if self.auth is not None else None
        return (
            f"Target(url={self.url!r}, user={user!r}, remote={self.remote}, allow_writes={self.allow_writes})"
        )

    def guard(self, method: str, url: str) -> None:
        """Skip the test when a write is about to leave without permission; pace remote requests."""
        from contracts.runner.safety import WriteBlocked

        if self._safety is not None:
            try:
                self._safety.guard(method, url)
            except WriteBlocked as exc:
                reason = str(exc).replace("--allow-writes", "--contracts-allow-writes")
                pytest.skip(f"not judged: {reason} against {self.url}")
        if self._throttle is not None:
            self._throttle.wait()

    def transport(self) -> httpx.BaseTransport:
        """An httpx transport with the write guard in front (for ``httpx.Client(transport=...)``)."""
        import httpx

        target = self

        class Guarded(httpx.HTTPTransport):
            def handle_request(self, request: httpx.Request) -> httpx.Response:
                target.guard(request.method, str(request.url))
                return super().handle_request(request)

        return Guarded()

    def async_transport(self) -> httpx.AsyncBaseTransport:
        import httpx

        target = self

        class Guarded(httpx.AsyncHTTPTransport):
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                target.guard(request.method, str(request.url))
                return await super().handle_async_request(request)

        return Guarded()

    def session(self) -> requests.Session:
        """A requests session with the write guard mounted; credentials are :meth:`headers` (or ``auth``)."""
        import requests
        from requests.adapters import HTTPAdapter

        target = self

        class Guarded(HTTPAdapter):
            def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
                target.guard(str(request.method or "GET"), str(request.url))
                return super().send(request, *args, **kwargs)

        session = requests.Session()
        session.mount("http://", Guarded())
        session.mount("https://", Guarded())
        return session

    def headers(self) -> dict[str, str]:
        """The Authorization header of this target's credentials (empty without any)."""
        from contracts.runner.auth import Credentials

        user, password = self.auth if self.auth is not None else (None, None)
        return Credentials(user, password, self.token).headers()

    def client(self, **kwargs: Any) -> Client:
        """The generated typed client for this target, guarded like every request of the plugin."""
        from generated.client import Client

        kwargs.setdefault("transport", self.transport())
        return Client(self.url, **self._credentials(), **kwargs)

    def async_client(self, **kwargs: Any) -> AsyncClient:
        from generated.client import AsyncClient

        kwargs.setdefault("transport", self.async_transport())
        return AsyncClient(self.url, **self._credentials(), **kwargs)

    def _credentials(self) -> dict[str, Any]:
        if self.auth is not None:
            return {"auth": self.auth}
        return {"token": self.token} if self.token is not None else {}


def _targets(state: _State) -> Iterator[Target]:
    """The remote target when a base URL is given, else a fresh mock on a loopback port."""
    base_url = state.base_url
    if base_url is not None:
        from contracts.runner.auth import Credentials
        from contracts.runner.plan import DEFAULT_REMOTE_RATE
        from contracts.runner.safety import Safety, is_loopback
        from contracts.runner.throttle import Throttle, default_rate

        creds = Credentials.from_env(
            user=None,
            user_env="CONTRACTS_BASIC_USER",
            password_env="CONTRACTS_BASIC_PASSWORD",
            token_env="CONTRACTS_BEARER_TOKEN",
        )
        allow = bool(state.config.getoption("contracts_allow_writes"))
        yield Target(
            base_url,
            (str(creds.user), str(creds.password)) if creds.basic else None,
            creds.token if not creds.basic else None,
            remote=True,
            allow_writes=allow,
            _safety=Safety(allow, prefix=f"contracts-{uuid.uuid4().hex[:8]}-"),
            _throttle=Throttle(default_rate(None, is_loopback(base_url), DEFAULT_REMOTE_RATE)),
        )
        return
    from contracts.mock import create_app, serve_in_thread

    auth = (MOCK_USER, secrets.token_urlsafe(16))
    app = create_app(state.spec, credentials=auth)
    with serve_in_thread(app) as url:
        yield Target(url, auth, app=app)


@pytest.fixture
def contracts_mock(request: pytest.FixtureRequest) -> Iterator[Target]:
    """A fresh embedded mock for this test (or the ``--contracts-base-url`` server): ``.url``, ``.auth``."""
    yield from _targets(_state(request.config))


@pytest.fixture(scope="session")
def contracts_mock_session(request: pytest.FixtureRequest) -> Iterator[Target]:
    """One embedded mock shared by the whole session (state is shared too); for speed."""
    yield from _targets(_state(request.config))


@pytest.fixture(scope="session")
def contract(request: pytest.FixtureRequest) -> Contract:
    """Validates responses and requests against the spec; see :class:`Contract`."""
    return Contract(_state(request.config))


class Contract:
    """``validate(response)`` / ``validate_request(request)``: every finding, or one AssertionError."""

    def __init__(self, state: _State) -> None:
        self._state = state

    @property
    def spec(self) -> Spec:
        return self._state.spec

    def findings(self, response: Any, *, operation: str | None = None) -> list[Finding]:
        """Every finding on ``response``: the whole check registry, then openapi-core's verdict."""
        from contracts.checks import iter_findings

        op = self._operation(_request_of(response), operation)
        exchange = _exchange(op.operation_id, response)
        core_request, core_response = _core_pair(response)
        found = list(iter_findings(self.spec, exchange))
        for error in self._state.openapi.iter_response_errors(core_request, core_response):
            found.extend(_core_findings(error, op, exchange.status, op.response_pointer(exchange.status)))
        return list(dedupe(found))

    def validate(self, response: Any, *, operation: str | None = None) -> None:
        """Raise AssertionError listing every error finding (warnings too with ``--contracts-strict``)."""
        __tracebackhide__ = True
        found = self.findings(response, operation=operation)
        self._judge(found, _describe(_request_of(response), response.status_code, found))

    def validate_request(self, request: Any, *, operation: str | None = None) -> None:
        """Judge an outgoing request (httpx or requests; a response's ``.request`` works too) with openapi-core."""
        __tracebackhide__ = True
        request = getattr(request, "request", None) or request
        op = self._operation(request, operation)
        found: list[Finding] = []
        for error in self._state.openapi.iter_request_errors(_core_request(request)):
            found.extend(_core_findings(error, op, None, op.pointer, check="openapi_core_request"))
        self._judge(list(dedupe(found)), _describe(request, None, found))

    def _operation(self, request: Any, name: str | None) -> Operation:
        if name is not None:
            return self.spec.operation(name)
        method, url = str(request.method).upper(), str(request.url)
        found = self.spec.match(method, urlsplit(url).path)
        if found is None:
            raise AssertionError(f"{method} {urlsplit(url).path}: no operation of the spec serves it")
        return found[0]

    def _judge(self, found: list[Finding], title: str) -> None:
        __tracebackhide__ = True
        failing = {"error", "warning"} if self._state.strict else {"error"}
        if not self._state.strict:
            self._state.warnings.extend((title, f) for f in found if f.severity == "warning")
        bad = [f for f in found if f.severity in failing]
        if bad:
            raise AssertionError(_message(title, bad))


def _request_of(response: Any) -> Any:
    try:
        return response.request
    except RuntimeError:  # httpx: a Response built by hand has no request
        raise AssertionError(
            "the response carries no request: cannot tell which operation it answers"
        ) from None


def _describe(request: Any, status: int | None, found: list[Finding]) -> str:
    method, path = str(request.method).upper(), urlsplit(str(request.url)).path
    operation = next((f.operation for f in found if f.operation), None)
    answer = f" → {status}" if status is not None else ""
    return f"{method} {path}{answer}" + (f" ({operation})" if operation else "")


def _message(title: str, found: list[Finding]) -> str:
    lines = [f"{title}: {len(found)} contract violation(s)"]
    for f in found:
        lines.append(f"  {f.severity} {f.check} at {f.pointer or '/'}: {f.message}")
        if f.expected is not None or f.actual is not None:
            lines.append(f"      expected: {f.expected!r}")
            lines.append(f"      actual:   {f.actual!r}")
        if f.spec_pointer:
            lines.append(f"      spec: #{f.spec_pointer}")
    return "\n".join(lines)


# -- adapters: a response as an Exchange, and as openapi-core's request/response -----------------


def _exchange(operation: str, response: Any) -> Any:
    import httpx
    import requests

    from contracts.exchange import Exchange

    if isinstance(response, httpx.Response):
        headers: dict[str, str | list[str]] = {}
        for name, value in response.headers.multi_items():
            previous = headers.get(name)
            headers[name] = value if previous is None else [*_listed(previous), value]
        request = response.request
        return Exchange(
            operation,
            response.status_code,
            response.content,
            headers=headers,
            method=request.method,
            url=str(request.url),
            request_headers=dict(request.headers),
            request_body=request.content or None,
        )
    if isinstance(response, requests.Response):
        prepared = response.request
        body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
        return Exchange(
            operation,
            response.status_code,
            response.content,
            headers=dict(response.headers),
            method=str(prepared.method),
            url=str(prepared.url),
            request_headers={k: str(v) for k, v in prepared.headers.items()},
            request_body=body if isinstance(body, bytes) else None,
        )
    from contracts.runner._schemathesis import exchange_of

    return exchange_of(response, operation)  # schemathesis's transport-neutral Response


def _listed(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


def _core_request(request: Any) -> Any:
    """openapi-core's request: its requests integration, or the same protocol for an httpx request."""
    import httpx
    import requests
    from openapi_core.contrib.requests import RequestsOpenAPIRequest

    if isinstance(request, (requests.Request, requests.PreparedRequest)):
        return RequestsOpenAPIRequest(request)
    if isinstance(request, httpx.Request):
        return _HttpxOpenAPIRequest(request)
    raise TypeError(f"cannot validate a {type(request).__name__}: give an httpx or requests request")


def _core_pair(response: Any) -> tuple[Any, Any]:
    import requests
    from openapi_core.contrib.requests import RequestsOpenAPIResponse

    if isinstance(response, requests.Response):
        return _core_request(response.request), RequestsOpenAPIResponse(response)
    headers = {k: ", ".join(_listed(v)) for k, v in _exchange("", response).headers.items()}
    return _core_request(response.request), _OpenAPIResponse(response.status_code, response.content, headers)


class _HttpxOpenAPIRequest:
    """openapi-core's Request protocol over an ``httpx.Request`` (0.23 ships no httpx integration)."""

    def __init__(self, request: httpx.Request) -> None:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        self.request = request
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(request.url.query.decode())),
            header=Headers(list(request.headers.multi_items())),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return f"{self.request.url.scheme}://{self.request.url.netloc.decode()}"

    @property
    def path(self) -> str:
        return self.request.url.path

    @property
    def method(self) -> str:
        return self.request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self.request.content or None

    @property
    def content_type(self) -> str:
        return str(self.request.headers.get("content-type", ""))


@dataclass(frozen=True)
class _OpenAPIResponse:
    """openapi-core's Response protocol for httpx and schemathesis responses."""

    status_code: int
    data: bytes
    raw_headers: Mapping[str, str]

    @property
    def content_type(self) -> str:
        lowered = {k.lower(): v for k, v in self.raw_headers.items()}
        return lowered.get("content-type", "")

    @property
    def headers(self) -> Any:
        from werkzeug.datastructures import Headers

        return Headers(dict(self.raw_headers))


MAX_MESSAGE = 300
"""Characters of an openapi-core message kept in a finding."""


def _core_findings(
    error: Exception,
    op: Operation,
    status: int | None,
    spec_pointer: str | None,
    *,
    check: str = "openapi_core",
) -> Iterator[Finding]:
    """One finding per schema error openapi-core reports (or one for the error itself)."""
    from contracts.spec import join_pointer

    details = getattr(error, "details", None)
    schema_errors = details.get("schema_errors", []) if isinstance(details, dict) else []
    where = spec_pointer or op.pointer
    if not schema_errors:
        yield Finding(
            check, f"{type(error).__name__}: {error}", op.operation_id, spec_pointer=where, status=status
        )
        return
    for item in schema_errors:
        pointer = join_pointer("", *item.get("path", []))
        message = str(item.get("message", ""))
        if len(message) > MAX_MESSAGE:  # jsonschema quotes the whole failing value (a oneOf: all of it)
            message = message[: MAX_MESSAGE - 1] + "…"
        yield Finding(check, message, op.operation_id, pointer, spec_pointer=where, status=status)


# -- generated cases -------------------------------------------------------------------------------


def spec_cases(
    path: str | Path | None = None,
    *,
    max_examples: int = 5,
    phases: tuple[str, ...] = ("examples", "fuzzing"),
) -> Any:
    """The spec as a schemathesis schema for ``@schema.parametrize()`` (positive cases, no example database).

    Run each case with :func:`call_and_validate`; it adds our registry to schemathesis's own checks.
    """
    import schemathesis
    from schemathesis.config import SchemathesisConfig

    from contracts.spec import load_spec

    spec = load_spec(path)
    config = SchemathesisConfig.from_dict(
        {
            "generation": {"mode": "positive", "max-examples": max_examples, "database": "none"},
            "phases": {name: {"enabled": name in phases} for name in ("examples", "coverage", "fuzzing")},
            "checks": {"positive_data_acceptance": {"enabled": False}},
            # A loaded CI machine is not a finding: generation speed is not what these tests judge.
            "suppress-health-check": ["too_slow"],
        }
    )
    return schemathesis.openapi.from_dict(dict(spec.raw), config=config)


def call_and_validate(case: Any, target: Target, contract: Contract) -> Any:
    """Send a schemathesis case to ``target`` (guarded) and judge the answer with schemathesis's checks,
    our registry and openapi-core; returns schemathesis's response.

    Our registry runs as an *additional* check of this call, not a globally registered one, so it
    cannot leak into ``contracts run`` in the same process.
    """
    __tracebackhide__ = True

    def contracts_registry(ctx: Any, response: Any, case_: Any) -> None:
        __tracebackhide__ = True
        contract.validate(response, operation=_operation_id(contract.spec, case_))

    headers = target.headers()
    response = case.call(base_url=target.url, session=target.session(), headers=headers)
    case.validate_response(response, additional_checks=[contracts_registry], headers=headers)
    return response


def _operation_id(spec: Spec, case: Any) -> str:
    for op in spec.operations:
        if op.label == case.operation.label:
            return op.operation_id
    raise AssertionError(f"{case.operation.label}: not an operation of the spec")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """List the warning findings that did not fail (``--contracts-strict`` makes them fail)."""
    state = config.stash.get(_STATE, None)
    if state is None or not state.warnings:
        return
    terminalreporter.section("contract warnings")
    for title, finding in state.warnings:
        terminalreporter.line(f"{title}: {finding.check} at {finding.pointer or '/'}: {finding.message}")
    terminalreporter.line(f"{len(state.warnings)} warning(s); --contracts-strict makes them fail")
