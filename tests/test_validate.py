"""The offline trio (iter_findings, validate, validate_exchange) and the differential test."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from openapi_core.testing import MockRequest, MockResponse

from contracts.checks._schemas import response_validator
from contracts.exchange import Exchange
from contracts.findings import FindingsError
from contracts.spec import Spec
from contracts.validate import iter_findings, validate, validate_exchange

PAYLOADS = Path(__file__).resolve().parent / "payloads"
GROUP = json.loads((PAYLOADS / "update-target-group__response__200__1.json").read_text())


def test_trio_agrees(spec: Spec) -> None:
    good = Exchange.from_json("update-target-group", 200, GROUP)
    assert list(iter_findings(spec, good)) == []
    assert validate_exchange(spec, good).ok
    validate(spec, good)
    bad = copy.deepcopy(GROUP)
    bad["data"]["trackingType"] = "streaks"
    bad["errors"] = [{"code": 1, "message": "x"}]
    exchange = Exchange.from_json("update-target-group", 200, bad)
    result = validate_exchange(spec, exchange)
    assert {f.check for f in result.findings} >= {"enum_value_documented", "data_iff_success"}
    with pytest.raises(FindingsError) as info:
        validate(spec, exchange)
    assert len(info.value.findings) == 1


def _mutations(body: Any) -> list[Any]:
    """The body and a few mutations of it, each valid or not."""
    out = [body]
    if isinstance(body.get("data"), dict):
        for key, value in list(body["data"].items())[:6]:
            changed = copy.deepcopy(body)
            changed["data"][key] = "x" if not isinstance(value, str) else 12
            out.append(changed)
    out.append({k: v for k, v in body.items() if k != "data"})
    out.append({**body, "errors": "none"})
    return out


def test_compiled_validator_gives_openapi_core_verdicts(spec: Spec) -> None:
    """jsonschema-rs (fast path) and openapi-core (reference) agree on real payloads and mutations."""
    compared = 0
    for path in sorted(PAYLOADS.glob("*__response__200__*.json")):
        op = spec.operation(path.stem.split("__")[0])
        request = MockRequest(
            "https://h", op.method.lower(), op.path.replace("{", "").replace("}", "1"), args={"targetId": "1"}
        )
        for body in _mutations(json.loads(path.read_text())):
            validator = response_validator(op, 200)
            assert validator is not None
            fast = validator.is_valid(body)
            try:
                spec.openapi.validate_response(
                    request, MockResponse(json.dumps(body).encode(), 200, content_type="application/json")
                )
                reference = True
            except Exception:  # noqa: BLE001 - any openapi-core validation error is a "no"
                reference = False
            assert fast == reference, (path.name, body)
            compared += 1
    assert compared > 100
