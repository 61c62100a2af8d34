import copy

import pytest

from contracts.checks import iter_findings, select
from contracts.exchange import Exchange
from contracts.findings import Finding
from contracts.spec import Spec

BODY = b'{"data": [], "errors": null}'


@pytest.fixture(scope="module")
def with_header(spec_minimal: Spec) -> Spec:
    raw = copy.deepcopy(spec_minimal.raw)
    response = raw["paths"]["/v3/targetGroups/channels"]["get"]["responses"]["200"]
    response["headers"] = {
        "X-Request-Id": {"required": True, "schema": {"type": "string", "pattern": "^[0-9a-f]+$"}},
        "X-RateLimit-Remaining": {"schema": {"type": "integer", "minimum": 0}},
    }
    return Spec(raw)


def _run(spec: Spec, headers: dict[str, str]) -> list[Finding]:
    ex = Exchange("get-target-channels", 200, BODY, headers={"Content-Type": "application/json", **headers})
    return list(iter_findings(spec, ex, select(["response_headers_documented"])))


def test_missing_required_header_fires(with_header: Spec) -> None:
    assert len(_run(with_header, {})) == 1


def test_header_not_matching_its_schema_fires(with_header: Spec) -> None:
    assert len(_run(with_header, {"x-request-id": "NOT HEX"})) == 1


def test_typed_header_is_judged_as_its_type(with_header: Spec) -> None:
    assert _run(with_header, {"X-Request-Id": "beef01", "X-RateLimit-Remaining": "12"}) == []
    [finding] = _run(with_header, {"X-Request-Id": "beef01", "X-RateLimit-Remaining": "-1"})
    assert finding.spec_pointer.endswith("/headers/X-RateLimit-Remaining/schema")
    assert len(_run(with_header, {"X-Request-Id": "beef01", "X-RateLimit-Remaining": "many"})) == 1


def test_documented_header_present_is_quiet(with_header: Spec, spec: Spec) -> None:
    assert _run(with_header, {"X-Request-Id": "beef01"}) == []
    assert _run(spec, {}) == []
