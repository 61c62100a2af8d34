"""Mutated copies of real payloads are rejected: the spec is strict where the API is."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from _payloads import Payload, payloads, validate
from openapi_core.validation.exceptions import ValidationError

from contracts.spec import Spec

RESPONSES = [p for p in payloads() if p.side == "response" and p.status_label != "error"]
BY_NAME = {p.path.stem: p for p in payloads()}


def _find(body: Any, key: str) -> list[tuple[Any, str]]:
    """Every (container, key) in ``body`` where ``key`` holds a value."""
    hits: list[tuple[Any, str]] = []
    if isinstance(body, dict):
        for k, v in body.items():
            if k == key:
                hits.append((body, k))
            hits.extend(_find(v, key))
    elif isinstance(body, list):
        for item in body:
            hits.extend(_find(item, key))
    return hits


def _with_key(key: str) -> list[Payload]:
    return [p for p in RESPONSES if _find(p.body["data"], key)][:6]


def _rejects(spec: Spec, payload: Payload, mutate: Callable[[Any], None]) -> None:
    body = copy.deepcopy(payload.body)
    mutate(body)
    assert body != payload.body
    with pytest.raises(ValidationError):
        validate(spec, payload, body)


@pytest.mark.parametrize("payload", RESPONSES[:8], ids=lambda p: p.path.stem)
def test_envelope_removed(spec: Spec, payload: Payload) -> None:
    body = payload.body["data"]
    if not isinstance(body, (dict, list)):
        pytest.skip("a scalar data payload cannot stand without its envelope")
    with pytest.raises(ValidationError):
        validate(spec, payload, body)


@pytest.mark.parametrize(
    "payload", _with_key("trackingType") + _with_key("periodStatus"), ids=lambda p: p.path.stem
)
@pytest.mark.parametrize(
    "change", [lambda v: "NOT_A_DOCUMENTED_VALUE", lambda v: v.title(), lambda v: v.lower()]
)
def test_enum_value_undocumented_or_recased(
    spec: Spec, payload: Payload, change: Callable[[str], str]
) -> None:
    def mutate(body: Any) -> None:
        for key in ("trackingType", "periodStatus"):
            for container, k in _find(body["data"], key):
                container[k] = change(container[k])
                return

    _rejects(spec, payload, mutate)


@pytest.mark.parametrize("payload", _with_key("id"), ids=lambda p: p.path.stem)
def test_id_turned_into_a_string(spec: Spec, payload: Payload) -> None:
    def mutate(body: Any) -> None:
        container, key = _find(body["data"], "id")[0]
        container[key] = str(container[key])

    _rejects(spec, payload, mutate)


@pytest.mark.parametrize("payload", _with_key("name"), ids=lambda p: p.path.stem)
def test_required_field_dropped(spec: Spec, payload: Payload) -> None:
    def mutate(body: Any) -> None:
        container, key = _find(body["data"], "name")[0]
        del container[key]

    _rejects(spec, payload, mutate)


def test_required_envelope_key_dropped(spec: Spec) -> None:
    _rejects(spec, BY_NAME["get-target-groups-id__response__200__1"], lambda b: b.pop("errors"))
    _rejects(spec, BY_NAME["get-target-channels__response__200__1"], lambda b: b.pop("data"))


@pytest.mark.parametrize("payload", _with_key("startDate") + _with_key("fromDate"), ids=lambda p: p.path.stem)
@pytest.mark.parametrize("value", ["01/04/2024", "2024-04-01T00:00:00Z", "20240401"])
def test_date_in_another_format(spec: Spec, payload: Payload, value: str) -> None:
    def mutate(body: Any) -> None:
        hits = _find(body["data"], "startDate") or _find(body["data"], "fromDate")
        container, key = hits[0]
        container[key] = value

    _rejects(spec, payload, mutate)


@pytest.mark.parametrize("payload", _with_key("createdOn"), ids=lambda p: p.path.stem)
@pytest.mark.parametrize("value", ["2024-04-01T16:04:29.145+05:30", "2024-04-01 16:04:29", "1711967669145"])
def test_timestamp_in_another_format(spec: Spec, payload: Payload, value: str) -> None:
    def mutate(body: Any) -> None:
        container, key = next((c, k) for c, k in _find(body["data"], "createdOn") if isinstance(c[k], str))
        container[key] = value

    _rejects(spec, payload, mutate)


@pytest.mark.parametrize(
    "name", ["get-active-targets__response__error__1", "get-active-targets__response__error__2"]
)
def test_error_envelope_with_data_or_without_errors(spec: Spec, name: str) -> None:
    _rejects(spec, BY_NAME[name], lambda b: b.update(data={"id": 1}))
    _rejects(spec, BY_NAME[name], lambda b: b.update(errors=[]))
    _rejects(spec, BY_NAME[name], lambda b: b["errors"][0].update(code="310011"))


def test_success_envelope_with_errors(spec: Spec) -> None:
    error = {"code": 300004, "message": "Invalid input"}
    _rejects(spec, BY_NAME["get-target-channels__response__200__1"], lambda b: b.update(errors=[error]))
    _rejects(spec, BY_NAME["delete-target-group__response__200__1"], lambda b: b.update(data=None))


def test_request_mutations_are_rejected(spec: Spec) -> None:
    create = BY_NAME["create-target-groups__request__ok__1"]
    _rejects(spec, create, lambda b: b.update(name="x" * 201))
    _rejects(spec, create, lambda b: b.update(trackingType="Streaks"))
    _rejects(spec, create, lambda b: b.pop("name"))
    _rejects(spec, create, lambda b: b["periods"][0].update(startDate="01/04/2024"))
