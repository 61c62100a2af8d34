"""Responses validated per second: all our checks, the compiled schema check alone, and plain
openapi-core ``validate_response`` on the same real payloads, with identical verdicts.

Run: ``.venv/bin/python bench/bench_validate.py`` (part of ``make bench``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import orjson
from openapi_core.testing import MockRequest, MockResponse

from contracts.checks import Check, iter_findings, select
from contracts.checks._schemas import response_validator
from contracts.exchange import Exchange
from contracts.spec import Spec, load_spec

PAYLOADS = Path(__file__).resolve().parent.parent / "tests" / "payloads"
SECONDS = 2.0
CASES = [
    ("update-target-group", "update-target-group__response__200__1"),
    ("create-target-groups", "create-target-groups__response__200__2"),
    ("get-targets", "get-targets__response__200__1"),
]


def rate(fn: Callable[[], object]) -> float:
    fn()
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < SECONDS:
        for _ in range(20):
            fn()
        count += 20
    return count / elapsed


def main() -> None:
    spec = load_spec()
    checks = select()
    print(
        f"{'payload':44} {'bytes':>6} {'openapi-core/s':>15} {'schema check/s':>15} {'all checks/s':>13} {'schema x':>9} {'all x':>9}"
    )
    for operation, name in CASES:
        measure(spec, checks, operation, name)


def measure(spec: Spec, checks: list[Check], operation: str, name: str) -> None:
    raw = (PAYLOADS / f"{name}.json").read_bytes()
    op = spec.operation(operation)
    request = MockRequest("https://h", op.method.lower(), op.path.replace("{", "").replace("}", "1"))
    validator = response_validator(op, 200)
    assert validator is not None, name

    def reference() -> bool:
        try:
            spec.openapi.validate_response(request, MockResponse(raw, 200, content_type="application/json"))
            return True
        except Exception:  # noqa: BLE001 - any validation error is a "no"
            return False

    def compiled() -> bool:
        return bool(validator.is_valid(orjson.loads(raw)))

    def everything() -> bool:
        exchange = Exchange(op.operation_id, 200, raw, headers={"Content-Type": "application/json"})
        return not any(True for _ in iter_findings(spec, exchange, checks))

    assert reference() == compiled() == everything() is True, name
    slow, fast, full = rate(reference), rate(compiled), rate(everything)
    print(
        f"{name:44} {len(raw):>6} {slow:>15,.0f} {fast:>15,.0f} {full:>13,.0f} {fast / slow:>8.0f}x {full / slow:>8.0f}x"
    )


if __name__ == "__main__":
    main()
