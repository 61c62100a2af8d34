"""Responses validated per second on the biggest real target-group payloads, in one run:

- ``openapi-core``: plain ``OpenAPI.validate_response`` (the reference), body bytes in;
- ``jsonschema-rs``: our compiled validator's ``is_valid`` after ``orjson.loads``;
- ``schema check``: the registry running ``response_schema_conformance`` alone on an Exchange;
- ``all checks``: the registry running every built-in check on an Exchange.

Each row also asserts that the four give the same verdict, on the payload and on a mutation of it
(the id as a string), before anything is timed. Each cell runs for ``SECONDS``.

Run: ``.venv/bin/python bench/bench_validate.py`` (part of ``make bench``).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from openapi_core.testing import MockRequest, MockResponse

from contracts.checks import Check, iter_findings, select
from contracts.checks._schemas import response_validator
from contracts.exchange import Exchange
from contracts.spec import Operation, Spec, load_spec

PAYLOADS = Path(__file__).resolve().parent.parent / "tests" / "payloads"
SECONDS = 1.0
CASES = [
    ("create-unified-targets", "create-unified-targets__response__200__1"),
    ("create-streak", "create-streak__response__200__1"),
    ("update-target-group", "update-target-group__response__200__1"),
    ("create-target-groups", "create-target-groups__response__200__2"),
]
JSON_HEADERS = {"Content-Type": "application/json"}


def rate(fn: Callable[[], object]) -> float:
    """Calls per second of ``fn`` over about ``SECONDS``."""
    fn()
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < SECONDS:
        for _ in range(20):
            fn()
        count += 20
    return count / elapsed


def _mutated(raw: bytes) -> bytes:
    """The payload with its id as a string: invalid for every judge."""
    body: Any = copy.deepcopy(orjson.loads(raw))
    body["data"]["id"] = str(body["data"]["id"])
    return orjson.dumps(body)


class Judges:
    """The four ways of judging one response of ``op`` with status 200."""

    def __init__(self, spec: Spec, op: Operation) -> None:
        self.spec, self.op = spec, op
        self.request = MockRequest("https://h", op.method.lower(), op.path.replace("{", "").replace("}", "1"))
        validator = response_validator(op, 200)
        assert validator is not None, op.operation_id
        self.validator = validator
        self.all = select()
        self.schema_only = select(["response_schema_conformance"])

    def openapi_core(self, raw: bytes) -> bool:
        try:
            self.spec.openapi.validate_response(
                self.request, MockResponse(raw, 200, content_type="application/json")
            )
        except Exception:  # noqa: BLE001 - any validation error is a "no"
            return False
        return True

    def jsonschema_rs(self, raw: bytes) -> bool:
        return bool(self.validator.is_valid(orjson.loads(raw)))

    def registry(self, raw: bytes, checks: list[Check]) -> bool:
        exchange = Exchange(self.op.operation_id, 200, raw, headers=JSON_HEADERS)
        return not any(True for _ in iter_findings(self.spec, exchange, checks))


def measure(spec: Spec, operation: str, name: str) -> None:
    raw = (PAYLOADS / f"{name}.json").read_bytes()
    j = Judges(spec, spec.operation(operation))
    for body, expected in ((raw, True), (_mutated(raw), False)):
        verdicts = (
            j.openapi_core(body),
            j.jsonschema_rs(body),
            j.registry(body, j.schema_only),
            j.registry(body, j.all),
        )
        assert verdicts == (expected,) * 4, (name, expected, verdicts)
    slow = rate(lambda: j.openapi_core(raw))
    fast = rate(lambda: j.jsonschema_rs(raw))
    schema = rate(lambda: j.registry(raw, j.schema_only))
    full = rate(lambda: j.registry(raw, j.all))
    print(
        f"{name:42} {len(raw):>6} {slow:>9,.0f} {fast:>9,.0f} {schema:>9,.0f} {full:>9,.0f}"
        f" {schema / slow:>7.0f}x {full / slow:>7.0f}x"
    )


def main() -> None:
    spec = load_spec()
    print(f"responses/s, {SECONDS:.0f} s per cell; x = times openapi-core")
    print(
        f"{'payload (200)':42} {'bytes':>6} {'oa-core':>9} {'js-rs':>9} {'schema':>9} {'all':>9}"
        f" {'schema x':>8} {'all x':>8}"
    )
    for operation, name in CASES:
        measure(spec, operation, name)


if __name__ == "__main__":
    main()
