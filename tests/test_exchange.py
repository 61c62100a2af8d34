"""``Exchange.error_codes``: the one reading of an envelope's error codes (runner, coverage, targeted)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contracts.exchange import Exchange

PAYLOADS = Path(__file__).parent / "payloads"


def _exchange(body: bytes) -> Exchange:
    return Exchange(
        "check-validity-of-milestone-name", 400, body, headers={"Content-Type": "application/json"}
    )


def test_the_codes_of_a_real_error_envelope() -> None:
    raw = (PAYLOADS / "check-validity-of-milestone-name__response__error__1.json").read_bytes()
    expected = tuple(e["code"] for e in json.loads(raw)["errors"])
    assert expected and _exchange(raw).error_codes == expected


def test_no_codes_from_a_success_a_non_envelope_or_a_broken_body() -> None:
    raw = (PAYLOADS / "check-validity-of-milestone-name__response__error__1.json").read_bytes()
    success = json.dumps({"data": {"ok": True}, "errors": None, "warnings": None}).encode()
    malformed = json.dumps({"errors": [{"code": "310011"}, {"code": True}, "x", None]}).encode()
    for body in (success, b"[1, 2]", b"not json", b"", malformed, raw[: len(raw) // 2]):
        assert _exchange(body).error_codes == (), body


def test_an_exchange_of_every_field_equals_the_one_its_constructor_builds() -> None:
    from dataclasses import fields

    values: dict[str, Any] = {
        "operation": "update-target-group",
        "status": 200,
        "body": b'{"data": {}}',
        "headers": {"Content-Type": "application/json"},
        "method": "PUT",
        "url": "https://h/v3/targetGroups/editTargetGroup/1",
        "request_headers": {"Accept": "*/*"},
        "request_body": b"{}",
        "path_params": {"targetGroupId": "1"},
    }
    assert set(values) == {f.name for f in fields(Exchange)}
    built = Exchange.of(**values)
    assert built == Exchange(**values)
    assert built.json == {"data": {}} and built.header_map == {"content-type": "application/json"}
