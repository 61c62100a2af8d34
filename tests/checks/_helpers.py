"""Run one named check over a body, for the fires/stays-quiet tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contracts.checks import iter_findings, select
from contracts.exchange import Exchange
from contracts.findings import Finding
from contracts.spec import Spec

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"


def real(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))


def run(spec: Spec, check: str, operation: str, status: int, body: Any, **kw: Any) -> list[Finding]:
    exchange = kw.pop("exchange", None) or Exchange.from_json(operation, status, body, **kw)
    return list(iter_findings(spec, exchange, select([check])))


def real_responses(spec: Spec) -> list[tuple[str, int, Any]]:
    """(operation, status, body) for every real response payload."""
    found = []
    for path in sorted(PAYLOADS.glob("*__response__*.json")):
        slug, _, label = path.stem.split("__")[:3]
        body = json.loads(path.read_text(encoding="utf-8"))
        status = spec.error_catalogue[body["errors"][0]["code"]].status if label == "error" else int(label)
        found.append((spec.operation(slug).operation_id, status, body))
    return found
