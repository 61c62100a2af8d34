"""The client generator is generic over the spec: a new operation, new parameter kinds, nullability,
new catalogue codes all come out of ``render_client`` without a line of it changing."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import types
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.clientgen import exception_name, render_client, snake
from contracts.codegen import render_envelopes
from contracts.errors import SpecError
from contracts.spec import Spec

ROOT = Path(__file__).resolve().parent.parent
NEW_CODE = 399001


def test_snake_case_names() -> None:
    assert snake("get-target-groups-id") == "get_target_groups_id"
    assert snake("targetGroupId") == "target_group_id"
    assert snake("DATA-SCOPE-ORG") == "data_scope_org"
    assert snake("includeUserCreatedTargetGroups") == "include_user_created_target_groups"
    assert snake("start-date") == "start_date"
    assert snake("from") == "from_" and snake("body") == "body_" and snake("close") == "close_"
    assert snake("2fa") == "n_2fa"


def test_exception_names() -> None:
    assert exception_name("TARGET_GROUP_NOT_FOUND", 310017) == "TargetGroupNotFoundError"
    assert exception_name("", 310017) == "Error310017"
    assert exception_name("404_PAGE", 1) == "E404PageError"


def _extended(spec: Spec) -> dict[str, Any]:
    """The minimal spec plus an operation with every parameter kind and a code without a name."""
    raw = copy.deepcopy(spec.raw)
    raw["components"]["x-error-codes"][str(NEW_CODE)] = {"message": "Widget melted", "status": 409}
    raw["paths"]["/v3/widgets/{widgetId}"] = {
        "parameters": [{"name": "widgetId", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "get": {
            "operationId": "listWidgetParts",
            "summary": "List the parts of a widget",
            "deprecated": True,
            "x-error-codes": [NEW_CODE],
            "parameters": [
                {
                    "name": "trackingType",
                    "in": "query",
                    "schema": {"$ref": "#/components/schemas/TrackingType"},
                },
                {
                    "name": "from",
                    "in": "query",
                    "required": True,
                    "schema": {"$ref": "#/components/schemas/Date"},
                },
                {"name": "limit", "in": "query", "schema": {"type": ["integer", "null"]}},
                {
                    "name": "X-Trace-Id",
                    "in": "header",
                    "description": "Echoed back.",
                    "schema": {"type": "string"},
                },
            ],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ChannelListEnvelope"}}
                    },
                },
                "409": {
                    "description": "Conflict",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}
                    },
                },
            },
        },
    }
    return raw


@pytest.fixture(scope="module")
def extended_client(tmp_path_factory: pytest.TempPathFactory, spec_minimal: Spec) -> types.ModuleType:
    """models, envelopes and client generated from the extended spec, imported from a temp dir."""
    raw = _extended(spec_minimal)
    spec = Spec(raw)
    root = tmp_path_factory.mktemp("clientgen")
    source = root / "spec.json"
    source.write_text(json.dumps(raw))
    package = root / "generated"
    package.mkdir()
    exe = Path(sys.executable).parent / "datamodel-codegen"
    subprocess.run(
        [str(exe), "--input", str(source), "--output", str(package / "models.py")],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    (package / "__init__.py").write_text("")
    (package / "envelopes.py").write_text(render_envelopes(spec))
    (package / "client.py").write_text(render_client(spec))
    saved = {k: v for k, v in sys.modules.items() if k == "generated" or k.startswith("generated.")}
    for key in saved:
        del sys.modules[key]
    sys.path.insert(0, str(root))
    try:
        import generated.client as client

        return client  # keeps its own models and envelopes; the real package is back for other tests
    finally:
        sys.path.remove(str(root))
        for key in [k for k in sys.modules if k == "generated" or k.startswith("generated.")]:
            del sys.modules[key]
        sys.modules.update(saved)


def _transport(seen: list[httpx.Request], status: int, body: Any) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handler)


def test_a_new_operation_gets_a_typed_method(extended_client: Any) -> None:
    import inspect

    method = extended_client.Client.list_widget_parts
    params = inspect.signature(method).parameters
    assert list(params) == ["self", "widget_id", "from_", "tracking_type", "limit", "x_trace_id"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for n, p in params.items() if n != "self")
    assert params["widget_id"].annotation == "int"
    assert params["from_"].annotation == "datetime.date | str"
    assert params["tracking_type"].annotation == "models.TrackingType | str | None"
    assert params["limit"].annotation == "int | None"
    assert "x_trace_id: Echoed back." in (method.__doc__ or "")
    assert (method.__doc__ or "").startswith("List the parts of a widget.")
    assert hasattr(extended_client.AsyncClient, "list_widget_parts")


def test_the_new_operation_is_called_and_warns(extended_client: Any) -> None:
    import datetime

    seen: list[httpx.Request] = []
    transport = _transport(seen, 200, {"data": [], "errors": None})
    with (
        extended_client.Client("http://api.test", transport=transport) as client,
        pytest.warns(DeprecationWarning, match="listWidgetParts is deprecated"),
    ):
        answer = client.list_widget_parts(
            widget_id=5,
            from_=datetime.date(2024, 2, 29),
            tracking_type=extended_client.models.TrackingType.STREAKS,
            x_trace_id="t-1",
        )
    assert answer.data == []
    (request,) = seen
    assert request.url.path == "/v3/widgets/5"
    assert dict(request.url.params) == {"from": "2024-02-29", "trackingType": "STREAKS"}
    assert request.headers["x-trace-id"] == "t-1"


def test_a_new_catalogue_code_becomes_its_exception(extended_client: Any) -> None:
    cls = extended_client.ERRORS[NEW_CODE]
    assert cls.__name__ == f"Error{NEW_CODE}" and cls.status == 409
    envelope = {"data": None, "errors": [{"code": NEW_CODE, "message": "Widget melted"}]}
    client = extended_client.Client("http://api.test", transport=_transport([], 409, envelope))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(cls) as caught:
            client.list_widget_parts(widget_id=1, from_="2024-01-01")
    client.close()
    assert caught.value.code == NEW_CODE and caught.value.message == "Widget melted"


def test_rendering_is_deterministic(spec_minimal: Spec) -> None:
    raw = _extended(spec_minimal)
    first = render_client(Spec(raw))
    assert first == render_client(Spec(copy.deepcopy(raw)))
    compile(first, "client.py", "exec")


def test_an_operation_without_a_success_response_is_a_spec_error(spec_minimal: Spec) -> None:
    raw = copy.deepcopy(spec_minimal.raw)
    del raw["paths"]["/v3/targetGroups/channels"]["get"]["responses"]["200"]
    with pytest.raises(SpecError, match="no documented 2xx response"):
        render_client(Spec(raw))


def test_a_success_without_a_body_returns_none(spec_minimal: Spec) -> None:
    raw = copy.deepcopy(spec_minimal.raw)
    responses = raw["paths"]["/v3/targetGroups/channels"]["get"]["responses"]
    responses["204"] = {"description": "Nothing to say"}
    source = render_client(Spec(raw))
    assert "def get_target_channels(self) -> envelopes.GetTargetChannels200 | None:" in source
    assert "        if response.status_code == 204:\n            return None\n" in source
    del responses["200"]
    assert "def get_target_channels(self) -> None:" in render_client(Spec(raw))


def test_two_operation_ids_with_one_method_name_are_a_spec_error(spec_minimal: Spec) -> None:
    raw = copy.deepcopy(spec_minimal.raw)
    raw["paths"]["/v3/targetGroups/channels"]["get"]["operationId"] = "get_target_groups_id"
    with pytest.raises(SpecError, match="same client method name"):
        render_client(Spec(raw))


def test_every_request_body_of_the_real_spec_is_typed(spec: Spec) -> None:
    import inspect

    import generated.client as real

    for op in spec.operations:
        if op.request_schema() is None:
            continue
        annotation = (
            inspect.signature(getattr(real.Client, snake(op.operation_id))).parameters["body"].annotation
        )
        assert "models." in annotation, (op.operation_id, annotation)
        assert "Any" not in annotation.replace("Mapping[str, Any]", ""), (op.operation_id, annotation)
