"""schemathesis's ``ensure_resource_availability`` after a create: a 404 is a finding unless the follow-up's
business rules refused the request (its code says another record is missing, not the one just created)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from contracts.runner import _schemathesis as glue
from contracts.spec import Spec

FOLLOW_UP = "enrol-customer-to-a-milestone"


def _recorder(body: dict[str, Any], check: str = glue.RESOURCE_CHECK) -> Any:
    failure = SimpleNamespace(
        operation="POST /enroll", title="Created resource not found", message="404 after create", code="ST302"
    )
    node = SimpleNamespace(
        name=check, status="failure", failure_info=SimpleNamespace(failure=failure, code_sample="curl …")
    )
    response = SimpleNamespace(status_code=404, content=json.dumps(body).encode())
    return SimpleNamespace(checks={"case": [node]}, find_response=lambda case_id: response)


def _outcome(spec: Spec) -> glue.Outcome:
    op = spec.operation(FOLLOW_UP)
    refusals = {FOLLOW_UP: spec.error_facts.of(op).business_rule_codes}
    return glue.Outcome({"POST /enroll": FOLLOW_UP}, refusals=refusals)


def _envelope(code: int) -> dict[str, Any]:
    return {"data": None, "errors": [{"code": code, "message": "not found"}], "warnings": None}


def _not_found_code(spec: Spec) -> int:
    op = spec.operation(FOLLOW_UP)
    return next(p.not_found.code for p in spec.error_facts.of(op).parameters if p.not_found is not None)


def _business_404(spec: Spec) -> int:
    op = spec.operation(FOLLOW_UP)
    codes = spec.error_facts.of(op).business_rule_codes
    return next(c for c in sorted(codes) if spec.error_catalogue[c].status == 404)


def test_a_404_naming_the_created_record_is_a_finding(spec: Spec) -> None:
    outcome = _outcome(spec)
    outcome._failures(_recorder(_envelope(_not_found_code(spec))))
    assert [f.check for f in outcome.findings.values()] == ["schemathesis." + glue.RESOURCE_CHECK]


def test_a_404_without_an_envelope_is_a_finding(spec: Spec) -> None:
    outcome = _outcome(spec)
    outcome._failures(_recorder({"detail": "gone"}))
    assert len(outcome.findings) == 1


def test_a_business_rule_404_of_the_follow_up_is_not_a_finding(spec: Spec) -> None:
    outcome = _outcome(spec)
    outcome._failures(_recorder(_envelope(_business_404(spec))))
    assert outcome.findings == {}


def test_only_the_resource_check_is_forgiven(spec: Spec) -> None:
    outcome = _outcome(spec)
    outcome._failures(_recorder(_envelope(_business_404(spec)), check="status_code_conformance"))
    assert len(outcome.findings) == 1
