"""Mutated copies of real payloads are rejected: the spec is strict where the API is.

Each mutation is applied to several real payloads (the first ``PER_MUTATION`` that carry what it changes).
Error codes are not mutated here: which code an operation may answer is not expressible in a schema and
belongs to the contract checks.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest
from openapi_core import OpenAPI
from openapi_core.validation.request.exceptions import InvalidRequestBody
from openapi_core.validation.response.exceptions import InvalidData

from ._support import Payload, find, operation_for_slug, payloads, validate_payload, validate_response_body

PER_MUTATION = 6
ALL = payloads()
REQUESTS = [p for p in ALL if p.side == "request"]
RESPONSES = [p for p in ALL if p.side == "response" and p.status_label != "error"]
ERRORS = [p for p in ALL if p.side == "response" and p.status_label == "error"]
# Keys whose value is an enum component wherever they occur in a real payload.
ENUM_KEYS = (
    "trackingType",
    "periodStatus",
    "targetType",
    "targetEntity",
    "frequencyType",
    "targetEvaluationType",
    "enrolmentMethod",
    "communicationType",
    "entityType",
    "combinationType",
)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
REJECTION = (InvalidData, InvalidRequestBody)

Mutation = Callable[[Any], bool]


def _payload_root(payload: Payload, body: Any) -> Any:
    """Where the payload's own fields are: ``data`` of a response, the body of a request."""
    return body["data"] if payload.side == "response" else body


def _first_enum(root: Any) -> tuple[Any, str] | None:
    for key in ENUM_KEYS:
        hits = [(c, k) for c, k in find(root, key) if isinstance(c[k], str)]
        if hits:
            return hits[0]
    return None


def _with(candidates: list[Payload], applies: Callable[[Payload], bool]) -> list[Payload]:
    return [p for p in candidates if applies(p)][:PER_MUTATION]


def _rejects(openapi: OpenAPI, spec: dict[str, Any], payload: Payload, mutate: Mutation) -> None:
    body = copy.deepcopy(payload.body())
    assert mutate(body), "the mutation found nothing to change"
    assert body != payload.body()
    with pytest.raises(REJECTION):
        validate_payload(openapi, spec, payload, body)


def _ids(p: Payload) -> str:
    return p.name


# --- envelope -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload", _with(RESPONSES, lambda p: isinstance(p.body()["data"], (dict, list))), ids=_ids
)
def test_envelope_removed(spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload) -> None:
    """The bare payload, without `{data, errors, warnings}` around it."""
    with pytest.raises(InvalidData):
        validate_payload(openapi, spec_dict, payload, payload.body()["data"])


@pytest.mark.parametrize("key", ["data", "errors"])
@pytest.mark.parametrize("payload", RESPONSES[:PER_MUTATION] + ERRORS[:2], ids=_ids)
def test_envelope_key_dropped(
    spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload, key: str
) -> None:
    def mutate(body: Any) -> bool:
        if key not in body:
            return False
        del body[key]
        return True

    _rejects(openapi, spec_dict, payload, mutate)


@pytest.mark.parametrize("payload", RESPONSES[:PER_MUTATION], ids=_ids)
def test_success_carrying_an_error(spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload) -> None:
    def mutate(body: Any) -> bool:
        body["errors"] = [{"code": 300004, "message": "Invalid input"}]
        return True

    _rejects(openapi, spec_dict, payload, mutate)


ERROR_CHANGES: list[dict[str, Any]] = [
    {"errors": []},
    {"errors": None},
    {"data": {"id": 1}},
    {"errors": [{"code": "310011", "message": "Invalid userId"}]},
]


@pytest.mark.parametrize(
    "change", ERROR_CHANGES, ids=["errors-empty", "errors-null", "data-set", "code-string"]
)
@pytest.mark.parametrize("payload", ERRORS, ids=_ids)
def test_error_envelope_broken(
    spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload, change: dict[str, Any]
) -> None:
    """An error status answers `data: null` and a non-empty list of `{code: integer, message}`."""
    body = {**payload.body(), **change}
    op = operation_for_slug(spec_dict, payload.slug)
    with pytest.raises(InvalidData):
        validate_response_body(openapi, op, payload.status(spec_dict), body)


# --- enums --------------------------------------------------------------------------------------------


ENUM_PAYLOADS = _with(RESPONSES, lambda p: _first_enum(p.body()["data"]) is not None) + _with(
    REQUESTS, lambda p: _first_enum(p.body()) is not None
)


@pytest.mark.parametrize(
    "change",
    [lambda v: "NOT_A_DOCUMENTED_VALUE", str.lower, str.title],
    ids=["undocumented", "lower-case", "title-case"],
)
@pytest.mark.parametrize("payload", ENUM_PAYLOADS, ids=_ids)
def test_enum_value_undocumented_or_recased(
    spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload, change: Callable[[str], str]
) -> None:
    def mutate(body: Any) -> bool:
        hit = _first_enum(_payload_root(payload, body))
        assert hit is not None
        container, key = hit
        container[key] = change(container[key])
        return True

    _rejects(openapi, spec_dict, payload, mutate)


# --- types --------------------------------------------------------------------------------------------

ID_KEYS = ("id", "targetGroupId", "customerId", "periodId", "targetRuleId")


def _first_int_id(root: Any) -> tuple[Any, str] | None:
    for key in ID_KEYS:
        hits = [(c, k) for c, k in find(root, key) if type(c[k]) is int]
        if hits:
            return hits[0]
    return None


ID_PAYLOADS = _with(RESPONSES, lambda p: _first_int_id(p.body()["data"]) is not None) + _with(
    REQUESTS, lambda p: _first_int_id(p.body()) is not None
)


@pytest.mark.parametrize("payload", ID_PAYLOADS, ids=_ids)
def test_integer_id_turned_into_a_string(
    spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload
) -> None:
    def mutate(body: Any) -> bool:
        hit = _first_int_id(_payload_root(payload, body))
        assert hit is not None
        container, key = hit
        container[key] = str(container[key])
        return True

    _rejects(openapi, spec_dict, payload, mutate)


@pytest.mark.parametrize(
    "payload", _with(RESPONSES, lambda p: type(p.body()["data"]) in (bool, int)), ids=_ids
)
def test_scalar_data_turned_into_a_string(
    spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload
) -> None:
    def mutate(body: Any) -> bool:
        body["data"] = str(body["data"])
        return True

    _rejects(openapi, spec_dict, payload, mutate)


# --- required fields ----------------------------------------------------------------------------------


def _objects_with(root: Any, key: str) -> list[dict[str, Any]]:
    return [c for c, _ in find(root, key)]


@pytest.mark.parametrize(
    "payload", _with(RESPONSES, lambda p: bool(_objects_with(p.body()["data"], "id"))), ids=_ids
)
def test_response_id_dropped(spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload) -> None:
    """The first object of the payload that has an `id` loses it (groups, targets, periods, channels...)."""

    def mutate(body: Any) -> bool:
        data = body["data"]
        first = data[0] if isinstance(data, list) else data
        if "id" not in first:
            first = _objects_with(data, "id")[0]
        del first["id"]
        return True

    _rejects(openapi, spec_dict, payload, mutate)


REQUIRED_IN_REQUESTS = ("customerId", "targetType", "name", "startDate")


def _first_required(root: Any) -> tuple[Any, str] | None:
    for key in REQUIRED_IN_REQUESTS:
        hits = find(root, key)
        if hits:
            return hits[0]
    return None


@pytest.mark.parametrize(
    "payload", [p for p in REQUESTS if _first_required(p.body()) is not None][: 2 * PER_MUTATION], ids=_ids
)
def test_request_required_field_dropped(
    spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload
) -> None:
    def mutate(body: Any) -> bool:
        hit = _first_required(body)
        assert hit is not None
        container, key = hit
        del container[key]
        return True

    _rejects(openapi, spec_dict, payload, mutate)


@pytest.mark.parametrize("key", ["code", "message"])
@pytest.mark.parametrize("payload", ERRORS, ids=_ids)
def test_error_code_or_message_dropped(
    spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload, key: str
) -> None:
    body = copy.deepcopy(payload.body())
    status = payload.status(spec_dict)
    del body["errors"][0][key]
    with pytest.raises(InvalidData):
        validate_response_body(openapi, operation_for_slug(spec_dict, payload.slug), status, body)


# --- formats ------------------------------------------------------------------------------------------


def _string_fields(root: Any, keys: tuple[str, ...], pattern: re.Pattern[str]) -> list[tuple[Any, str]]:
    return [
        (c, k) for key in keys for c, k in find(root, key) if isinstance(c[k], str) and pattern.match(c[k])
    ]


DATE_KEYS = ("startDate", "endDate", "fromDate", "toDate")
DATE_PAYLOADS = _with(RESPONSES, lambda p: bool(_string_fields(p.body()["data"], DATE_KEYS, DATE))) + _with(
    REQUESTS, lambda p: bool(_string_fields(p.body(), DATE_KEYS, re.compile(".")))
)


@pytest.mark.parametrize("value", ["01/04/2024", "2024/04/01", "1 April 2024"])
@pytest.mark.parametrize("payload", DATE_PAYLOADS, ids=_ids)
def test_date_in_another_format(
    spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload, value: str
) -> None:
    def mutate(body: Any) -> bool:
        pattern = DATE if payload.side == "response" else re.compile(".")
        container, key = _string_fields(_payload_root(payload, body), DATE_KEYS, pattern)[0]
        container[key] = value
        return True

    _rejects(openapi, spec_dict, payload, mutate)


@pytest.mark.parametrize(
    "payload", _with(RESPONSES, lambda p: bool(_string_fields(p.body()["data"], DATE_KEYS, DATE))), ids=_ids
)
def test_response_date_as_a_date_time(spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload) -> None:
    """Responses answer `YYYY-MM-DD`; requests are lenient, responses strict."""

    def mutate(body: Any) -> bool:
        container, key = _string_fields(body["data"], DATE_KEYS, DATE)[0]
        container[key] = container[key] + "T00:00:00.000Z"
        return True

    _rejects(openapi, spec_dict, payload, mutate)


TIMESTAMP_KEYS = ("createdOn", "lastUpdatedOn")


def _rfc3339(value: str) -> str:
    """2024-04-01T16:04:29.145+0530 -> 2024-04-01T16:04:29.145+05:30 (valid RFC 3339, not the API's form)."""
    return value[:-2] + ":" + value[-2:]


@pytest.mark.parametrize(
    "payload",
    _with(RESPONSES, lambda p: bool(_string_fields(p.body()["data"], TIMESTAMP_KEYS, TIMESTAMP))),
    ids=_ids,
)
@pytest.mark.parametrize("change", [_rfc3339, lambda v: v[:10]], ids=["rfc3339", "date-only"])
def test_timestamp_in_another_format(
    spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload, change: Callable[[str], str]
) -> None:
    def mutate(body: Any) -> bool:
        container, key = _string_fields(body["data"], TIMESTAMP_KEYS, TIMESTAMP)[0]
        container[key] = change(container[key])
        return True

    _rejects(openapi, spec_dict, payload, mutate)


ISO_KEYS = ("createdOnISO", "lastUpdatedOnISO", "targetCycleStartDateISO", "targetCycleEndDateISO")


@pytest.mark.parametrize(
    "payload", _with(RESPONSES, lambda p: bool(_string_fields(p.body()["data"], ISO_KEYS, ISO))), ids=_ids
)
def test_iso_timestamp_in_the_api_form(spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload) -> None:
    """An *ISO field answered like the colon-less attribution timestamps."""

    def mutate(body: Any) -> bool:
        container, key = _string_fields(body["data"], ISO_KEYS, ISO)[0]
        container[key] = "2024-04-01T16:04:29.145+0530"
        return True

    _rejects(openapi, spec_dict, payload, mutate)


EVENT_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


@pytest.mark.parametrize(
    "payload",
    _with(RESPONSES, lambda p: bool(_string_fields(p.body()["data"], ("eventDate",), EVENT_TIME))),
    ids=_ids,
)
def test_tracked_event_time_in_rfc3339(spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload) -> None:
    def mutate(body: Any) -> bool:
        container, key = _string_fields(body["data"], ("eventDate",), EVENT_TIME)[0]
        container[key] = container[key].replace(" ", "T") + "Z"
        return True

    _rejects(openapi, spec_dict, payload, mutate)


def test_every_mutation_has_payloads() -> None:
    for group in (ENUM_PAYLOADS, ID_PAYLOADS, DATE_PAYLOADS, ERRORS):
        assert len(group) >= 2


# --- request leniency does not reach responses ----------------------------------------------------------

LENIENT: dict[str, Callable[[Any], Any]] = {
    "expression": lambda v: v == "true",
    "refCode": lambda v: 1720782952,
    "defaultValue": lambda v: f"{v:.2f}" if isinstance(v, (int, float)) else v,
}


def _has(payload: Payload, key: str) -> bool:
    return any(c[k] is not None for c, k in find(payload.body()["data"], key))


def _lenient_cases() -> list[tuple[Payload, str]]:
    cases: list[tuple[Payload, str]] = []
    for key in sorted(LENIENT):
        cases += [(p, key) for p in [p for p in RESPONSES if _has(p, key)][:PER_MUTATION]]
    return cases


LENIENT_CASES = _lenient_cases()


@pytest.mark.parametrize(("payload", "key"), LENIENT_CASES, ids=[f"{p.name}-{k}" for p, k in LENIENT_CASES])
def test_request_leniency_rejected_in_responses(
    spec_dict: dict[str, Any], openapi: OpenAPI, payload: Payload, key: str
) -> None:
    """Requests may send `expression` as a boolean, `refCode` as a number, `defaultValue` as "1.00";
    responses answer a string, a string and a number."""

    def mutate(body: Any) -> bool:
        container, k = next((c, k) for c, k in find(body["data"], key) if c[k] is not None)
        container[k] = LENIENT[key](container[k])
        return True

    _rejects(openapi, spec_dict, payload, mutate)
