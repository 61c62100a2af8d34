"""generated/client.py against the real mock on loopback, and against hand-made answers
(httpx.MockTransport) for what the mock never says: every catalogued code, undocumented answers,
retries."""

from __future__ import annotations

import asyncio
import copy
import inspect
import json
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from contracts.clientgen import _Types as Types
from contracts.clientgen import parameters, snake
from contracts.mock import create_app, serve_in_thread
from contracts.spec import Operation, Spec, load_spec
from generated import client as gen
from generated import models

SPEC = load_spec()
AUTH = ("consumer", "s3cret-pass")
OTHER_USER = 555_000_111


@dataclass
class World:
    """Ids that exist in a fresh mock: a group with a period and a target, and an enrolled user."""

    url: str
    app: Any
    group: int
    target: int
    period: int
    user: int = 19721

    def ids(self) -> dict[str, int]:
        return {
            "targetGroupId": self.group,
            "targetId": self.target,
            "userId": self.user,
            "targetRuleId": self.target,
            "periodId": self.period,
        }


class Front:
    """One loopback server for the module; each test puts a fresh mock behind it."""

    app: Any = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Front]]:
    front = Front()
    with serve_in_thread(front) as url:
        yield url, front


@pytest.fixture
def world(server: tuple[str, Front]) -> World:
    url, front = server
    app = front.app = create_app(SPEC, credentials=AUTH)
    store = app.state.store
    target = next(t for t in store.targets.values() if store.periods_of(t["targetGroupId"]))
    group = target["targetGroupId"]
    store.groups[group]["leaderboardEnabled"] = True
    found = World(url, app, group, target["id"], store.periods_of(group)[0]["id"])
    with gen.Client(url, auth=AUTH) as client:
        client.enrol_customer_to_a_milestone(
            target_group_id=group, target_id=found.target, body=[{"customerId": found.user}]
        )
    return found


def _unique(body: Any) -> Any:
    body["name"] = f"{body['name'][:150]}-{uuid.uuid4().hex[:8]}"
    return body


def _period(body: Any, w: World) -> Any:
    return [{**item, "id": w.period, "targetGroupId": w.group} for item in body]


def _unified(body: Any, w: World) -> Any:
    body["targets"] = [{**t, "id": w.target, "targetGroupId": w.group} for t in body.get("targets", [])]
    body["deactivateTargetIds"] = []
    return body


FIXUPS: dict[str, Callable[[Any, World], Any]] = {
    "create-target-groups": lambda body, w: _unique(body),
    "update-target-group": lambda body, w: _unique(body),
    "update-target-period": _period,
    "update-unified-target": _unified,
    "enrol-customer-to-a-milestone": lambda body, w: [{"customerId": OTHER_USER}],
    "un-enrol-users-into-a-milestonestreak": lambda body, w: [{"customerId": w.user}],
    "connectedorgs-enroll-customer-milestone-or-streak": lambda body, w: [{"customerId": OTHER_USER}],
    "connectedorgs-unenroll-customer-milestone-or-streak": lambda body, w: [{"customerId": w.user}],
}
"""What the documentation's request examples need to fit the mock's world (fresh names, its ids)."""


def request_example(spec: Spec, op: Operation) -> Any:
    media = spec.deref(op.raw.get("requestBody", {})).get("content", {}).get("application/json", {})
    for example in media.get("examples", {}).values():
        return copy.deepcopy(spec.deref(example)["value"])
    return None


def call_kwargs(op: Operation, w: World) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        p.argument: w.ids()[p.name] for p in parameters(SPEC, op, Types(SPEC)) if p.required
    }
    body = request_example(SPEC, op)
    if body is not None:
        fix = FIXUPS.get(op.operation_id)
        kwargs["body"] = fix(body, w) if fix else body
    return kwargs


def _success_types(op: Operation) -> tuple[type[BaseModel], ...]:
    from generated.envelopes import RESPONSES

    return tuple(RESPONSES[(op.operation_id, s)] for s in (200, 201) if (op.operation_id, s) in RESPONSES)


OPERATIONS = sorted(SPEC.operations, key=lambda o: o.operation_id)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda o: o.operation_id)
def test_every_operation_through_the_sync_client(world: World, op: Operation) -> None:
    with gen.Client(world.url, auth=AUTH) as client, warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        answer = getattr(client, snake(op.operation_id))(**call_kwargs(op, world))
        assert client.last_response is not None
        assert client.last_response.status_code in (200, 201)
    assert isinstance(answer, _success_types(op))
    assert answer.model_dump()["errors"] in (None, [])
    deprecations = [w for w in seen if issubclass(w.category, DeprecationWarning)]
    assert len(deprecations) == (1 if op.deprecated else 0)
    if op.deprecated:
        assert deprecations[0].filename == __file__, "the warning points at the caller"


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda o: o.operation_id)
def test_every_operation_through_the_async_client(world: World, op: Operation) -> None:
    async def call() -> Any:
        async with gen.AsyncClient(world.url, auth=AUTH) as client:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                return await getattr(client, snake(op.operation_id))(**call_kwargs(op, world))

    assert isinstance(asyncio.run(call()), _success_types(op))


def test_sync_and_async_clients_have_the_same_methods() -> None:
    def public(cls: type) -> dict[str, inspect.Signature]:
        return {n: inspect.signature(f) for n, f in vars(cls).items() if not n.startswith("_")}

    sync, async_ = public(gen.Client), public(gen.AsyncClient)
    assert sync.keys() == async_.keys() == {snake(op.operation_id) for op in SPEC.operations}
    assert sync == async_
    assert all(inspect.iscoroutinefunction(getattr(gen.AsyncClient, n)) for n in async_)


def test_docstrings_come_from_the_spec_summaries() -> None:
    for op in SPEC.operations:
        doc = getattr(gen.Client, snake(op.operation_id)).__doc__ or ""
        assert doc.startswith(str(op.raw["summary"]).rstrip("."))
        assert op.path in doc


# -- documented errors, from the real mock -----------------------------------------------------


def test_the_mock_s_documented_errors_raise_their_classes(world: World) -> None:
    with gen.Client(world.url, auth=AUTH) as client:
        with pytest.raises(gen.TargetGroupNotFoundError) as missing:
            client.get_targets(target_group_id=999_999_999)
        with pytest.raises(gen.TargetRuleNotFoundError):
            client.get_target_communication_template(target_group_id=world.group, target_id=999_999_999)
        with pytest.raises(gen.InvalidUserIdError):
            client.get_target_events(user_id=-5, target_rule_id=world.target)
        with (
            pytest.raises(gen.InvalidEnrollmentTypeError),
            pytest.warns(DeprecationWarning, match="deprecated"),
        ):
            client.get_active_targets(user_id=world.user, enrollment_type="NOT_A_TYPE")
        with pytest.raises(gen.AlreadyEnrolledError):
            client.enrol_customer_to_a_milestone(
                target_group_id=world.group, target_id=world.target, body=[{"customerId": world.user}]
            )
        with pytest.raises(gen.InvalidInputError) as invalid:
            client.create_target_period(target_group_id=world.group, body=[])
    error = missing.value
    assert (error.code, error.status, error.operation) == (310017, 404, "get-targets")
    assert error.message == error.envelope.errors[0].message
    assert error.envelope.data is None and error.response.status_code == 404
    assert isinstance(error, gen.ApiError)
    assert invalid.value.code == 300004 and "300004" in str(invalid.value)


def test_a_duplicate_and_a_too_long_name(world: World) -> None:
    existing = next(iter(world.app.state.store.groups.values()))["name"]
    duplicate = models.TargetGroupCreateRequest.model_validate({"name": existing, "totalPeriods": 1})
    with gen.Client(world.url, auth=AUTH) as client, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(gen.DuplicateTargetGroupNameError):
            client.create_target_groups(body=duplicate)
        with pytest.raises(gen.NameTooLongError):
            client.create_target_groups(body={"name": "x" * 201, "totalPeriods": 1})


def test_wrong_credentials_raise_unauthorized(world: World) -> None:
    with gen.Client(world.url, auth=("consumer", "wrong")) as client, pytest.raises(gen.UnauthorizedError):
        client.get_target_channels()
    with gen.Client(world.url) as client, pytest.raises(gen.UnauthorizedError) as caught:
        client.get_target_channels()
    assert caught.value.status == 401


# -- every catalogued code, from documented envelopes ------------------------------------------


def _answering(status: int, body: Any, seen: list[httpx.Request] | None = None, **headers: str) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.Response(
            status, content=content, headers={"Content-Type": "application/json", **headers}
        )

    return httpx.MockTransport(handler)


def _documenting(code: int) -> Operation:
    status = SPEC.error_catalogue[code].status
    return next(op for op in OPERATIONS if code in op.error_codes and op.response_key(status) == str(status))


def _call(client: gen.Client, op: Operation) -> Any:
    kwargs = {p.argument: 1 for p in parameters(SPEC, op, Types(SPEC)) if p.required}
    if op.request_schema() is not None:
        kwargs["body"] = request_example(SPEC, op)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return getattr(client, snake(op.operation_id))(**kwargs)


@pytest.mark.parametrize("code", sorted(SPEC.error_catalogue), ids=str)
def test_every_catalogued_code_raises_its_class(code: int) -> None:
    entry = SPEC.error_catalogue[code]
    op = _documenting(code)
    envelope = {"data": None, "errors": [{"code": code, "message": entry.message}], "warnings": None}
    cls = gen.ERRORS[code]
    with (
        gen.Client("http://api.test", transport=_answering(entry.status, envelope)) as client,
        pytest.raises(cls) as caught,
    ):
        _call(client, op)
    assert type(caught.value) is cls and issubclass(cls, gen.ApiError)
    assert (cls.code, cls.status, cls.name, cls.documented_message) == (
        code,
        entry.status,
        entry.name,
        entry.message,
    )
    assert caught.value.message == entry.message and caught.value.operation == op.operation_id


def test_one_class_per_catalogued_code() -> None:
    assert set(gen.ERRORS) == set(SPEC.error_catalogue)
    assert len(set(gen.ERRORS.values())) == len(gen.ERRORS)


# -- undocumented answers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "reason", "check"),
    [
        (
            500,
            {"data": None, "errors": [{"code": 1, "message": "boom"}]},
            "status 500",
            "status_code_documented",
        ),
        (
            404,
            {"data": None, "errors": [{"code": 999999, "message": "?"}]},
            "error code 999999 is not documented",
            "error_code_documented",
        ),
        (404, b"<html>not found</html>", "not the error envelope", "content_type_documented"),
        (200, {"errors": None}, "does not fit the documented 200", "envelope_shape"),
        (
            200,
            {"data": {"id": "not-a-number"}, "errors": None},
            "does not fit",
            "response_schema_conformance",
        ),
    ],
)
def test_an_undocumented_answer_carries_the_findings(status: int, body: Any, reason: str, check: str) -> None:
    if isinstance(body, bytes):
        transport = httpx.MockTransport(
            lambda r: httpx.Response(status, content=body, headers={"Content-Type": "text/html"})
        )
    else:
        transport = _answering(status, body)
    with (
        gen.Client("http://api.test", transport=transport) as client,
        pytest.raises(gen.UnexpectedResponse) as caught,
    ):
        client.get_target_periods(target_group_id=7)
    error = caught.value
    assert reason in error.reason and error.status == status and error.operation == "get-target-periods"
    assert check in {f.check for f in error.findings}
    text = str(error)
    assert text.startswith(f"get-target-periods: unexpected answer {status}")
    assert f"  {check} at " in text


def test_a_documented_code_under_the_wrong_status_is_unexpected() -> None:
    envelope = {"data": None, "errors": [{"code": 310017, "message": "Target group not found"}]}
    with (
        gen.Client("http://api.test", transport=_answering(400, envelope)) as client,
        pytest.raises(
            gen.UnexpectedResponse, match="310017 is not documented for this operation with status 400"
        ),
    ):
        client.get_target_periods(target_group_id=7)


# -- requests as sent --------------------------------------------------------------------------


def test_parameters_and_bodies_as_sent() -> None:
    seen: list[httpx.Request] = []
    ok: dict[str, Any] = {"data": [], "errors": None}
    with gen.Client("http://api.test/base/", token="tok-123", transport=_answering(200, ok, seen)) as client:
        client.get_all_milestones(
            status=models.MilestoneStatus(SPEC.enums["MilestoneStatus"].values[0]),
            require_periods=True,
            limit=3,
            name=None,
        )
        client.create_target_period(
            target_group_id=12,
            body=[
                models.PeriodRequest.model_validate({"startDate": "2024-01-01", "endDate": "2024-01-31"}),
                {"startDate": "x", "endDate": "y"},
            ],
        )
    get, post = seen
    assert get.url.path == "/base/v3/milestones"
    assert dict(get.url.params) == {
        "status": str(SPEC.enums["MilestoneStatus"].values[0]),
        "require-periods": "true",
        "limit": "3",
    }
    assert get.headers["authorization"] == "Bearer tok-123"
    assert post.method == "POST" and post.url.path == "/base/v3/targetGroups/12/targetPeriods"
    assert json.loads(post.content) == [
        {"startDate": "2024-01-01", "endDate": "2024-01-31"},
        {"startDate": "x", "endDate": "y"},
    ]


def test_path_parameters_are_quoted() -> None:
    seen: list[httpx.Request] = []
    with gen.Client("http://api.test", transport=_answering(200, {"data": [], "errors": None}, seen)) as c:
        c.get_target_periods(target_group_id="1/../2")  # type: ignore[arg-type]
    assert seen[0].url.raw_path == b"/v3/targetGroups/1%2F..%2F2/targetPeriods"


def test_auth_and_token_together_are_refused() -> None:
    with pytest.raises(ValueError, match="not both"):
        gen.Client("http://api.test", auth=("u", "p"), token="t")
    with pytest.raises(ValueError, match="retries"):
        gen.AsyncClient("http://api.test", retries=-1)


def test_context_managers_close_the_connection_pool() -> None:
    with gen.Client("http://api.test") as client:
        pass
    assert client._http.is_closed

    async def run() -> gen.AsyncClient:
        async with gen.AsyncClient("http://api.test") as aclient:
            return aclient

    assert asyncio.run(run())._http.is_closed


# -- retries -----------------------------------------------------------------------------------


def _sequence(*answers: int | type[httpx.TransportError]) -> tuple[httpx.MockTransport, list[str]]:
    calls: list[str] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        answer = queue.pop(0)
        if isinstance(answer, type):
            raise answer("connection refused", request=request)
        if answer >= 400:
            return httpx.Response(answer, headers={"Retry-After": "0"})
        return httpx.Response(answer, json={"data": [], "errors": None})

    return httpx.MockTransport(handler), calls


def test_a_read_is_retried_on_503_and_on_a_transport_error() -> None:
    transport, calls = _sequence(503, httpx.ReadError, 200)
    with gen.Client("http://api.test", retries=2, transport=transport) as client:
        assert client.get_target_channels().data == []
    assert calls == ["GET", "GET", "GET"]


def test_retries_stop_at_the_limit() -> None:
    transport, calls = _sequence(503, 503)
    with (
        gen.Client("http://api.test", retries=1, transport=transport) as client,
        pytest.raises(gen.UnexpectedResponse, match="status 503 is not documented"),
    ):
        client.get_target_channels()
    assert len(calls) == 2


def test_a_write_is_not_retried_when_it_may_have_happened() -> None:
    transport, calls = _sequence(502, 200)
    with (
        gen.Client("http://api.test", retries=3, transport=transport) as client,
        pytest.raises(gen.UnexpectedResponse),
    ):
        client.create_target_period(target_group_id=1, body=[{"startDate": "a", "endDate": "b"}])
    assert calls == ["POST"]
    transport, calls = _sequence(httpx.ReadError, 200)
    with (
        gen.Client("http://api.test", retries=3, transport=transport) as client,
        pytest.raises(httpx.ReadError),
    ):
        client.create_target_period(target_group_id=1, body=[{"startDate": "a", "endDate": "b"}])
    transport, calls = _sequence(httpx.ConnectError, 200)
    with gen.Client("http://api.test", retries=3, transport=transport) as client:
        client.create_target_period(target_group_id=1, body=[{"startDate": "a", "endDate": "b"}])
    assert calls == ["POST", "POST"], "a refused connection sent nothing: safe to try again"
