"""Fixtures of the proxy tests."""

from __future__ import annotations

import copy

import pytest

from contracts.spec import Spec


@pytest.fixture(scope="session")
def with_header(spec: Spec) -> Spec:
    """The real spec, plus a required response header on GET target group (the API documents none)."""
    raw = copy.deepcopy(spec.raw)
    for key in ("200", "404"):
        response = raw["paths"]["/v3/targetGroups/{targetGroupId}"]["get"]["responses"][key]
        if "$ref" in response:
            name = response["$ref"].rsplit("/", 1)[1]
            response = raw["paths"]["/v3/targetGroups/{targetGroupId}"]["get"]["responses"][key] = (
                copy.deepcopy(raw["components"]["responses"][name])
            )
        response["headers"] = {"X-Request-Id": {"required": True, "schema": {"type": "string"}}}
    return Spec(raw)
