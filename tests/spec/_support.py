"""Helpers of the spec tests: real payloads, their operations and openapi-core validation.

Self-contained on purpose (only the spec file and openapi-core), so the spec's own tests do not depend
on the tools that read the spec.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "spec" / "v3.json"
PAYLOADS = ROOT / "tests" / "payloads"
REJECTED = PAYLOADS / "rejected"
HOST = "https://eu.api.capillarytech.com"
AUTH = {"Authorization": "Basic dXNlcjpwYXNz"}
SAMPLE_IDS = {"targetGroupId": 18044, "targetId": 3018, "userId": 19721, "targetRuleId": 9889}
METHODS = ("get", "put", "post", "delete", "patch")
NAME = re.compile(
    r"^(?P<slug>[a-z0-9.-]+)__(?P<side>request|response)__(?P<status>ok|error|\d{3})__\d+(__repaired)?$"
)


def load_spec_dict(path: Path = SPEC_PATH) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    raw: dict[str, Any]
    parameters: tuple[dict[str, Any], ...]

    @property
    def slugs(self) -> set[str]:
        return {self.operation_id, *self.raw.get("x-doc-slugs", [])}

    def url(self) -> str:
        path = self.path
        for name, value in SAMPLE_IDS.items():
            path = path.replace("{" + name + "}", str(value))
        return path

    def required_query(self) -> dict[str, str]:
        """A sample value for every required query parameter (the leaderboard's targetId)."""
        return {p["name"]: "1" for p in self.parameters if p.get("in") == "query" and p.get("required")}


def operations(spec: dict[str, Any]) -> list[Operation]:
    found = []
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                op = item[method]
                params = tuple(shared) + tuple(op.get("parameters", []))
                found.append(Operation(op["operationId"], method, path, op, params))
    return found


def operation_for_slug(spec: dict[str, Any], slug: str) -> Operation:
    """The operation whose operationId or x-doc-slugs names ``slug``."""
    owners = [op for op in operations(spec) if slug in op.slugs]
    assert len(owners) == 1, (slug, [op.operation_id for op in owners])
    return owners[0]


def error_status(spec: dict[str, Any], body: Any) -> int:
    """The HTTP status of an error payload: the catalogue status of its first code."""
    code = str(body["errors"][0]["code"])
    status: int = spec["components"]["x-error-codes"][code]["status"]
    return status


@dataclass(frozen=True)
class Payload:
    """A real payload, ``<slug>__<request|response>__<status|ok|error>__<n>[__repaired].json``."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.stem

    def _part(self, group: str) -> str:
        match = NAME.match(self.name)
        assert match, f"payload file name does not follow the naming: {self.name}"
        return match.group(group)

    @property
    def slug(self) -> str:
        return self._part("slug")

    @property
    def side(self) -> str:
        return self._part("side")

    @property
    def status_label(self) -> str:
        return self._part("status")

    def body(self) -> Any:
        return json.loads(self.path.read_text(encoding="utf-8"))

    def status(self, spec: dict[str, Any]) -> int:
        """The HTTP status: from the name, or for an error payload from the catalogue of its code."""
        if self.status_label == "error":
            return error_status(spec, self.body())
        return int(self.status_label)


def payloads(folder: Path = PAYLOADS) -> list[Payload]:
    return [Payload(p) for p in sorted(folder.glob("*.json"))]


def mock_request(op: Operation, body: Any = None) -> MockRequest:
    data = None if body is None else json.dumps(body).encode()
    return MockRequest(HOST, op.method, op.url(), args=op.required_query(), headers=AUTH, data=data)


def validate_request_body(openapi: OpenAPI, op: Operation, body: Any) -> None:
    """Raise openapi-core's error when ``body`` is not a valid request body of ``op``."""
    openapi.validate_request(mock_request(op, body))


def validate_response_body(openapi: OpenAPI, op: Operation, status: int, body: Any) -> None:
    """Raise openapi-core's error when ``body`` is not a valid ``status`` response of ``op``."""
    response = MockResponse(json.dumps(body).encode(), status_code=status, content_type="application/json")
    openapi.validate_response(mock_request(op), response)


def validate_payload(openapi: OpenAPI, spec: dict[str, Any], payload: Payload, body: Any = None) -> None:
    """Validate a payload (or a mutated copy of it, ``body``) against its operation."""
    value = payload.body() if body is None else body
    op = operation_for_slug(spec, payload.slug)
    if payload.side == "request":
        validate_request_body(openapi, op, value)
    else:
        validate_response_body(openapi, op, payload.status(spec), value)


def find(body: Any, key: str) -> list[tuple[Any, str]]:
    """Every (container, key) in ``body`` where ``key`` holds a value, depth first."""
    hits: list[tuple[Any, str]] = []
    if isinstance(body, dict):
        for k, v in body.items():
            if k == key:
                hits.append((body, k))
            hits.extend(find(v, key))
    elif isinstance(body, list):
        for item in body:
            hits.extend(find(item, key))
    return hits
