"""Plain ``schemathesis run spec/v3.json --url <mock>`` with the project's schemathesis.toml passes; the
hooks' business-rule allowance is read from the spec and narrowed to the rules' codes."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from contracts.error_facts import INVALID_INPUT
from contracts.mock import create_app, serve_in_thread
from contracts.runner import RunSettings
from contracts.runner.auth import LOCAL_CREDENTIALS
from contracts.schemathesis_support import business_rule_codes, business_rule_statuses, credentials
from contracts.spec import Spec

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "schemathesis.toml"
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
PAIR = ("st-user", "st-secret")


def config() -> dict[str, Any]:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONTRACTS_BASIC_USER": PAIR[0], "CONTRACTS_BASIC_PASSWORD": PAIR[1]}
    return subprocess.run(
        [str(SCHEMATHESIS), "run", "spec/v3.json", "--url", url, "--no-color", "-c", "all", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_credentials_are_what_contracts_run_sends(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment's pair (or token) anywhere; without one, the local default pair to loopback only."""
    assert config()["hooks"] == "contracts.schemathesis_hooks"
    defaults = {f.name: f.default for f in dataclasses.fields(RunSettings)}
    for name in ("basic_user_env", "basic_password_env", "bearer_token_env"):
        monkeypatch.delenv(str(defaults[name]), raising=False)
    local = "Basic " + base64.b64encode(":".join(LOCAL_CREDENTIALS).encode()).decode()
    assert credentials("http://127.0.0.1:4010").headers() == {"Authorization": local}
    assert credentials("https://staging.example.com").headers() == {}
    monkeypatch.setenv(str(defaults["basic_user_env"]), "alice")
    monkeypatch.setenv(str(defaults["basic_password_env"]), "s3cret")
    pair = "Basic " + base64.b64encode(b"alice:s3cret").decode()
    assert credentials("https://staging.example.com").headers() == {"Authorization": pair}


def test_the_400_allowance_is_exactly_the_operations_whose_business_rules_answer_400(spec: Spec) -> None:
    """An operation may answer a schema-valid request 400 only if the spec names a business rule that does;
    the allowance is read from the spec when the schema loads, schemathesis.toml keeps no copy of it."""
    from schemathesis.config import PositiveDataAcceptanceConfig

    assert "operations" not in config()
    defaults = PositiveDataAcceptanceConfig().expected_statuses
    assert "400" not in defaults
    statuses = business_rule_statuses(spec, defaults)
    allowed = {op_id for op_id, listed in statuses.items() if "400" in listed}
    ruled = {
        op.operation_id
        for op in spec.operations
        if any(spec.error_catalogue[code].status == 400 for code in business_rule_codes(op))
    }
    assert allowed == ruled == set(statuses)
    assert all(listed[: len(defaults)] == defaults for listed in statuses.values())
    assert {"create-target-groups", "update-target-group"} <= ruled  # the duplicate-name rule (x-unique)
    assert business_rule_statuses(spec, [*defaults, "4xx"]) == {}  # nothing to add where 4xx is allowed


def test_plain_schemathesis_with_all_checks_passes_against_the_mock(spec: Spec) -> None:
    with serve_in_thread(create_app(spec, credentials=PAIR)) as url:
        result = run(url, "--max-examples", "3", "--phases", "examples,fuzzing,stateful", "--seed", "1")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


class RefuseCreates:
    """The mock, except that every create of a target group is refused 400 with ``code``."""

    def __init__(self, app: Any, code: int) -> None:
        self.app, self.code = app, code

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/v3/targetGroups":
            await self.app(scope, receive, send)
            return
        body = json.dumps({"data": None, "errors": [{"code": self.code, "message": "no"}], "warnings": None})
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


def test_a_schema_valid_request_refused_as_invalid_input_fails_despite_the_allowance(spec: Spec) -> None:
    """The hooks let create-target-groups answer 400 for its business rules only: 300004 still fails."""
    invalid = spec.error_facts.role(INVALID_INPUT)
    app = RefuseCreates(create_app(spec, credentials=PAIR), invalid)
    with serve_in_thread(app) as url:
        result = run(
            url, "--include-operation-id", "create-target-groups", "--phases", "examples", "--seed", "1"
        )
    assert result.returncode == 1, result.stdout[-4000:]
    assert "refusal_is_a_business_rule" in result.stdout
    assert f"refused with ['{invalid}']" in result.stdout


def test_a_schema_valid_request_refused_by_a_business_rule_passes(spec: Spec) -> None:
    """The allowance the hooks read from the spec is applied: every create refused with the duplicate-name
    code (a business rule's 400) is no "schema-valid request rejected"."""
    op = spec.operation("create-target-groups")
    code = next(s.unique.code for s in spec.error_facts.of(op).body if s.unique is not None)
    assert spec.error_catalogue[code].status == 400
    with serve_in_thread(RefuseCreates(create_app(spec, credentials=PAIR), code)) as url:
        result = run(
            url, "--include-operation-id", "create-target-groups", "--phases", "examples", "--seed", "1"
        )
    assert result.returncode == 0, result.stdout[-4000:]
