"""Validation of real payloads against spec/v3.json with openapi-core, the reference validator."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openapi_core.testing import MockRequest, MockResponse

from contracts.spec import Operation, Spec

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"
HOST = "https://eu.api.capillarytech.com"
SAMPLE_PATH_VALUES = {"targetGroupId": "18044", "targetId": "3018", "userId": "19721", "targetRuleId": "9889"}


@dataclass(frozen=True)
class Payload:
    """A real payload, named ``<slug>__<request|response>__<status|ok|error>__<n>[__repaired].json``."""

    path: Path
    slug: str
    side: str
    status_label: str

    @classmethod
    def from_path(cls, path: Path) -> Payload:
        slug, side, status = path.stem.split("__")[:3]
        return cls(path, slug, side, status)

    @property
    def body(self) -> Any:
        return json.loads(self.path.read_text(encoding="utf-8"))

    def status(self, spec: Spec) -> int:
        """The HTTP status: from the name, or for error payloads from the catalogue of its code."""
        if self.status_label == "error":
            return spec.error_catalogue[self.body["errors"][0]["code"]].status
        return int(self.status_label)


def payloads(folder: Path = PAYLOADS) -> list[Payload]:
    return [Payload.from_path(p) for p in sorted(folder.glob("*.json"))]


def _request(op: Operation, body: Any = None) -> MockRequest:
    path = op.path
    for name, value in SAMPLE_PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    args = (
        {"targetId": "1"}
        if any(p["name"] == "targetId" and p["in"] == "query" for p in op.parameters())
        else {}
    )
    if body is None:
        return MockRequest(HOST, op.method.lower(), path, args=args)
    return MockRequest(
        HOST,
        op.method.lower(),
        path,
        args=args,
        data=json.dumps(body).encode(),
        headers={"Authorization": "Basic dXNlcjpwYXNz"},
        content_type="application/json",
    )


def validate(spec: Spec, payload: Payload, body: Any) -> None:
    """Raise openapi-core's validation error when ``body`` does not conform."""
    op = spec.operation(payload.slug)
    if payload.side == "request":
        spec.openapi.validate_request(_request(op, body))
        return
    response = MockResponse(
        json.dumps(body).encode(), status_code=payload.status(spec), content_type="application/json"
    )
    spec.openapi.validate_response(_request(op), response)
