"""Request-side validation: every real documented request is quiet; broken ones fire, blamed on the client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contracts.cli import main
from contracts.request_validation import (
    BODY_CHECK,
    MEDIA_CHECK,
    PARAMETER_CHECK,
    judge_body,
    judge_request,
)
from contracts.spec import Spec, resolve_pointer

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads"
REQUESTS = sorted(PAYLOADS.glob("*__request__*.json"))


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", REQUESTS, ids=[p.stem for p in REQUESTS])
def test_real_request_bodies_are_quiet(spec: Spec, path: Path) -> None:
    operation = path.stem.split("__")[0]
    assert judge_body(spec, operation, _load(path)) == []


def test_a_wrong_type_fires_with_pointers_into_body_and_spec(spec: Spec) -> None:
    body = _load(PAYLOADS / "create-target-groups__request__ok__1.json")
    body["totalPeriods"] = "two"
    [finding] = judge_body(spec, "create-target-groups", body)
    assert finding.check == BODY_CHECK and finding.extra["side"] == "request"
    assert finding.pointer == "/totalPeriods" and finding.actual == "two"
    assert resolve_pointer(spec.raw, finding.spec_pointer) == "integer"  # the failing "type" keyword


def test_parameters_are_judged(spec: Spec) -> None:
    assert judge_request(spec, "GET", "/v3/targetGroups/18044?includePeriods=true") == []
    [bad] = judge_request(spec, "GET", "/v3/targetGroups/18044?includePeriods=maybe") or []
    assert bad.check == PARAMETER_CHECK and "includePeriods" in bad.message
    assert resolve_pointer(spec.raw, bad.spec_pointer.rsplit("/schema", 1)[0])
    [missing] = judge_request(spec, "GET", "/v3.1/leaderboards/targetGroups/18044") or []
    assert missing.check == PARAMETER_CHECK and "targetId" in missing.message
    assert judge_request(spec, "GET", "/v3.1/leaderboards/targetGroups/18044?targetId=3") == []
    assert judge_request(spec, "GET", "/v9/unknown") is None


def test_body_media_type_and_presence(spec: Spec) -> None:
    good = json.dumps(_load(PAYLOADS / "create-target-groups__request__ok__1.json")).encode()
    json_type = {"Content-Type": "application/json"}
    assert judge_request(spec, "POST", "/v3/targetGroups", json_type, good) == []
    [media] = judge_request(spec, "POST", "/v3/targetGroups", {"Content-Type": "text/plain"}, good) or []
    assert media.check == MEDIA_CHECK
    [malformed] = judge_request(spec, "POST", "/v3/targetGroups", json_type, b"{nope") or []
    assert malformed.check == BODY_CHECK and "not valid JSON" in malformed.message
    [absent] = judge_request(spec, "POST", "/v3/targetGroups", json_type, b"") or []
    assert absent.check == BODY_CHECK and "required" in absent.message


def test_validate_request_flag_and_side_option(
    spec: Spec, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.json"
    good.write_text((PAYLOADS / "create-target-groups__request__ok__1.json").read_text())
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": 7, "totalPeriods": 1}))
    assert main(["validate", "--request", "-o", "create-target-groups", str(good)]) == 0
    assert main(["validate", "--request", "-o", "create-target-groups", str(bad)]) == 1
    assert "[request] create-target-groups request_body_conformance /name" in capsys.readouterr().out
    assert main(["validate", "--request", str(bad)]) == 2
    har = tmp_path / "x.har"
    request = {
        "method": "POST",
        "url": "https://h/v3/targetGroups",
        "headers": [],
        "postData": {"text": bad.read_text()},
    }
    response = {
        "status": 200,
        "headers": [{"name": "Content-Type", "value": "application/json"}],
        "content": {"text": "{}"},
    }
    har.write_text(json.dumps({"log": {"entries": [{"request": request, "response": response}]}}))
    assert main(["validate", "--side", "request", str(har)]) == 1
    out = capsys.readouterr().out
    assert "request_body_conformance" in out and "envelope_shape" not in out
    assert main(["validate", "--side", "response", str(har)]) == 1
    out = capsys.readouterr().out
    assert "request_body_conformance" not in out and "envelope_shape" in out
    assert main(["validate", "--side", "request", str(good)]) == 2
