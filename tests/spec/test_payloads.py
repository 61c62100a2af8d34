"""Every real documentation payload validates against its operation; the rejected ones do not;
every example embedded in the spec validates."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_core import OpenAPI
from openapi_core.validation.request.exceptions import InvalidRequestBody
from openapi_core.validation.response.exceptions import InvalidData

from ._support import (
    PAYLOADS,
    REJECTED,
    Payload,
    operation_for_slug,
    operations,
    payloads,
    validate_payload,
    validate_request_body,
    validate_response_body,
)

GOOD = payloads()
BAD = payloads(REJECTED)
# Operations the documentation gives no real payload for (ops.md: no page or truncated examples only).
WITHOUT_PAYLOAD = {
    "deactivate-target",
    "get-target-communication-template",
    "get-target-groups-all",
    "get-all-milestones",
}


def test_payloads_are_there() -> None:
    assert len(GOOD) >= 50
    assert BAD


@pytest.mark.parametrize("payload", GOOD, ids=lambda p: p.name)
def test_real_payload_validates(spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload) -> None:
    validate_payload(openapi, spec_dict, payload)


@pytest.mark.parametrize("payload", BAD, ids=lambda p: p.name)
def test_rejected_payload_is_rejected(spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload) -> None:
    with pytest.raises((InvalidData, InvalidRequestBody)):
        validate_payload(openapi, spec_dict, payload)


def test_rejected_payloads_are_explained() -> None:
    readme = (REJECTED / "README.md").read_text(encoding="utf-8")
    for payload in BAD:
        assert payload.path.name in readme


def test_every_operation_has_a_real_payload_or_says_why(spec_dict: dict[str, Any]) -> None:
    covered = {operation_for_slug(spec_dict, p.slug).operation_id for p in GOOD}
    assert covered.isdisjoint(WITHOUT_PAYLOAD)
    assert covered | WITHOUT_PAYLOAD == {op.operation_id for op in operations(spec_dict)}


def _embedded(spec: dict[str, Any]) -> list[tuple[str, str, str, str, Any]]:
    """(operationId, side, status, example name, value) of every example embedded in the spec."""
    found = []
    for op in operations(spec):
        media = op.raw.get("requestBody", {}).get("content", {}).get("application/json", {})
        for name, example in media.get("examples", {}).items():
            found.append((op.operation_id, "request", "ok", name, example["value"]))
        for status, response in op.raw["responses"].items():
            if "$ref" in response:
                response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
            media = response.get("content", {}).get("application/json", {})
            for name, example in media.get("examples", {}).items():
                found.append((op.operation_id, "response", status, name, example["value"]))
    return found


def test_embedded_examples_are_there(spec_dict: dict[str, Any]) -> None:
    assert len(_embedded(spec_dict)) >= len(GOOD)


def test_every_real_payload_is_embedded(spec_dict: dict[str, Any]) -> None:
    names = {name for *_, name, _ in _embedded(spec_dict)}
    assert {p.name for p in GOOD} <= names


def test_embedded_example_equals_its_payload_file(spec_dict: dict[str, Any]) -> None:
    for *_, name, value in _embedded(spec_dict):
        path = PAYLOADS / f"{name}.json"
        if path.exists():
            assert Payload(path).body() == value, name


def test_every_embedded_example_validates(spec_dict: dict[str, Any], openapi: OpenAPI) -> None:
    by_id = {op.operation_id: op for op in operations(spec_dict)}
    for op_id, side, status, name, value in _embedded(spec_dict):
        op = by_id[op_id]
        try:
            if side == "request":
                validate_request_body(openapi, op, value)
            else:
                validate_response_body(openapi, op, int(status), value)
        except Exception as exc:
            raise AssertionError(f"{op_id} {side} {status} example {name!r} does not validate") from exc


def test_every_example_has_a_summary(spec_dict: dict[str, Any]) -> None:
    for op in operations(spec_dict):
        media = op.raw.get("requestBody", {}).get("content", {}).get("application/json", {})
        examples = list(media.get("examples", {}).values())
        for response in op.raw["responses"].values():
            examples += list(
                response.get("content", {}).get("application/json", {}).get("examples", {}).values()
            )
        for example in examples:
            assert example.get("summary"), op.operation_id
