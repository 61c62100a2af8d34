"""Every real documentation payload validates against its operation; the known-bad ones do not."""

from __future__ import annotations

from typing import Any

import pytest
from _payloads import PAYLOADS, Payload, payloads, validate
from openapi_core.validation.exceptions import ValidationError

from contracts.spec import Spec

GOOD = payloads()
REJECTED = payloads(PAYLOADS / "rejected")


@pytest.mark.parametrize("payload", GOOD, ids=lambda p: p.path.stem)
def test_real_payload_validates(spec: Spec, payload: Payload) -> None:
    validate(spec, payload, payload.body)


@pytest.mark.parametrize("payload", REJECTED, ids=lambda p: p.path.stem)
def test_known_bad_payload_is_rejected(spec: Spec, payload: Payload) -> None:
    with pytest.raises(ValidationError):
        validate(spec, payload, payload.body)


def test_every_operation_has_a_real_payload_or_says_why(spec: Spec) -> None:
    covered = {spec.operation(p.slug).operation_id for p in GOOD}
    undocumented = {
        "get-target-communication-template",
        "deactivate-target",
        "get-target-groups-all",
        "getusertargetgroupdetails",
        "get-all-milestones",
    }
    assert covered | undocumented == {op.operation_id for op in spec.operations}


def _examples(spec: Spec) -> list[tuple[str, str, str, Any]]:
    found = []
    for op in spec.operations:
        body = spec.deref(op.raw.get("requestBody", {}))
        for ex in body.get("content", {}).get("application/json", {}).get("examples", {}).values():
            found.append((op.operation_id, "request", "ok", spec.deref(ex)["value"]))
        for status in op.statuses:
            media = op.response_media(int(status)).get("application/json", {})
            for ex in media.get("examples", {}).values():
                found.append((op.operation_id, "response", status, spec.deref(ex)["value"]))
    return found


def test_every_embedded_example_validates(spec: Spec) -> None:
    examples = _examples(spec)
    assert len(examples) >= len(GOOD)
    for op_id, side, status, value in examples:
        validate(spec, Payload(PAYLOADS / "embedded", op_id, side, status), value)
