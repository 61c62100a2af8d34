"""The generated models parse every real response, dump it back equal, and reject undocumented enums."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError
from spec._support import Payload, load_spec_dict, payloads

from contracts.spec import Spec
from generated.envelopes import RESPONSES, parse_response

SPEC_DICT: dict[str, Any] = load_spec_dict()
RESPONSE_PAYLOADS = [p for p in payloads() if p.side == "response"]


@pytest.mark.parametrize("payload", RESPONSE_PAYLOADS, ids=lambda p: p.path.stem)
def test_parse_and_dump_round_trip(spec: Spec, payload: Payload) -> None:
    op = spec.operation(payload.slug)
    model = parse_response(op.operation_id, payload.status(SPEC_DICT), payload.body())
    assert model.model_dump(mode="json", by_alias=True, exclude_unset=True) == payload.body()


def test_every_documented_response_has_a_model(spec: Spec) -> None:
    documented = {(op.operation_id, int(s)) for op in spec.operations for s in op.statuses if s.isdigit()}
    assert set(RESPONSES) == documented


@pytest.mark.parametrize("value", ["NOT_DOCUMENTED", "Streaks", "streaks"])
def test_undocumented_enum_value_is_rejected(spec: Spec, value: str) -> None:
    payload = next(p for p in RESPONSE_PAYLOADS if p.path.stem == "update-target-group__response__200__1")
    body = copy.deepcopy(payload.body())
    body["data"]["trackingType"] = value
    with pytest.raises(ValidationError):
        parse_response("update-target-group", 200, body)


def test_error_envelope_model_rejects_empty_errors() -> None:
    with pytest.raises(ValidationError):
        parse_response("get-active-targets", 400, {"data": None, "errors": [], "warnings": None})


def test_get_target_groups_id_gives_one_group_or_a_list() -> None:
    """ops.md #2: both real answers parse into typed models (spec/NOTES.md)."""
    from generated.envelopes import GetTargetGroupsId200
    from generated.models import TargetGroup

    one = next(p for p in RESPONSE_PAYLOADS if p.path.stem == "get-target-groups-id__response__200__1")
    many = next(p for p in RESPONSE_PAYLOADS if p.path.stem == "get-target-groups-id__response__200__2")
    assert isinstance(GetTargetGroupsId200.model_validate(one.body()).data, TargetGroup)
    data = GetTargetGroupsId200.model_validate(many.body()).data
    assert isinstance(data, list) and isinstance(data[0], TargetGroup)


@pytest.mark.parametrize(
    ("errors", "accepted"),
    [
        ([{"code": 0, "message": ""}], True),
        ([], True),
        (None, True),
        ([{"code": 0, "message": ""}, {"code": 0, "message": ""}], False),
        ([{"code": 300004, "message": "Invalid input"}], False),
        ([{"code": 0, "message": "x"}], False),
    ],
)
def test_envelope_accepts_only_the_no_error_sentinel(errors: Any, accepted: bool) -> None:
    """Legacy delete sample (_targetLoyalty.md): a success may carry `[{code: 0, message: ""}]`, nothing else."""
    body = {"data": True, "errors": errors}
    if accepted:
        assert parse_response("delete-target-group", 200, body).model_dump()["errors"] == errors
    else:
        with pytest.raises(ValidationError):
            parse_response("delete-target-group", 200, body)
