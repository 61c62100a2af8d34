"""schemathesis's ``ensure_resource_availability`` after a create: its 404 stands only when it says the *created*
resource is missing (the not-found code of the path parameter naming it, or no code at all); its
``use_after_free`` after a DELETE stands only when the spec does not mark that DELETE ``x-soft-delete``.

The exchange is the one that failed ``make contract`` (run 3 of 2026-12-02): create-targets created a target
in group 2911, then schemathesis enrolled fuzzed customers into it; the mock answered 404 for the period the
body's ``periodName`` names (enrol's business rule), not for the target. Replayed here against the mock.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from contracts.exchange import Exchange
from contracts.mock import create_app
from contracts.report.coverage import Coverage
from contracts.runner import _schemathesis as glue
from contracts.runner.cleanup import Cleanup
from contracts.runner.collect import Collector
from contracts.runner.plan import make_plan
from contracts.runner.safety import Safety
from contracts.runner.settings import RunSettings
from contracts.runner.throttle import Throttle
from contracts.schemathesis_support import created_not_found_codes, keeps_failure
from contracts.spec import Spec, load_spec

ROOT = Path(__file__).resolve().parents[2]
PAIR = ("u", "p")
CREATE = "POST /v3/targetGroups/{targetGroupId}/targets"
ENROL = "POST /v3/targetGroups/{targetGroupId}/targets/{targetId}/enroll"
CREATE_GROUP = "POST /v3/targetGroups"
TARGET = {
    "active": True,
    "description": "test via postman",
    "expression": "true",
    "expressionJson": "I",
    "filters": [{"entityIds": [0], "entityType": "ZONE"}],
    "name": "contracts-be8be17e-streakTestt123",
    "targetEntity": "LINEITEM",
    "enrolmentMethod": "TRANSACTION",
    "targetGroupId": 100049,
    "targetType": "EXTENDED_FIELD",
    "defaultValues": [{"targetName": "test2", "periodId": 1, "defaultValue": 20}],
    "extendedFieldInfo": {"name": "contracts-be8be17e-tax_amount", "aggregateFunction": "SUM"},
}
ENROLMENT_BODY = [
    {
        "initialBalance": None,
        "periodName": "\xb5}\x01@\x0fa\U000129e3",
        "customerId": 6004570.0,
        "resetStreakStatus": False,
    },
    {"periodName": "\xe1", "resetStreakStatus": True, "initialBalance": 53192, "customerId": 32118.0},
    {"customerId": 597034370189842176, "initialBalance": 48246},
    {"customerId": 25620.0, "resetStreakStatus": True},
    {
        "\x0bt{\U0006b9f9": [[]],
        "\U000e11ab\U000d04a5\xa9\xdbL\x83": [],
        "resetStreakStatus": True,
        "periodName": "\U000f63f3{c^d\x80\U00030c7cv\x13",
        "initialBalance": None,
        "customerId": 2719.0,
    },
    {
        "7": ")\x17,iV\xc3\U000370f2\U00100efc",
        "\xab\x0f\xe1\xab\x94\xaf": [],
        "resetStreakStatus": False,
        "customerId": 289094733264593.0,
        "initialBalance": 461,
    },
    {
        "\x19\xaf}": {"\xc8": [-20976, "-\U000d8110"]},
        "\xc3\x17E\xee\xf7\U000fea5d\x05B": {
            "\x9dT\x87\x11\xc1\xbe\xadix\U00091522\xdcjW&\xef'M": -1.5812487531755412e-258
        },
        "\x95": [],
        ";": [False],
        "testsuite": [],
        "customerId": 170328,
    },
]
"""The body as schemathesis sent it (its curl line), customers with float ids and stray keys."""
ENROLMENT = json.dumps(ENROLMENT_BODY)


@pytest.fixture(scope="module")
def client(spec: Spec) -> Iterator[TestClient]:
    auth = "Basic " + base64.b64encode(":".join(PAIR).encode()).decode()
    with TestClient(create_app(spec, credentials=PAIR), headers={"Authorization": auth}) as client:
        yield client


def _answer(response: Any) -> Any:
    from schemathesis.core.transport import Response

    return Response.from_any(response)


def _failure(created_with: str, follow_up: str) -> Any:
    from schemathesis.openapi.checks import EnsureResourceAvailability

    return EnsureResourceAvailability(
        operation=created_with,
        message="The API returned `404 Not Found` for a resource that was just created.",
        created_with=created_with,
        not_available_with=follow_up,
    )


def _enrol(client: TestClient, group: int, target: int) -> Any:
    return client.post(
        f"/v3/targetGroups/{group}/targets/{target}/enroll",
        content=ENROLMENT.encode(),
        headers={"Content-Type": "application/json"},
    )


def _created_target(client: TestClient) -> int:
    created = client.post("/v3/targetGroups/2911/targets", json=TARGET)
    assert created.status_code == 200, created.text
    return int(created.json()["data"][0]["id"])


def _not_found(spec: Spec, label: str, name: str) -> int:
    op = next(o for o in spec.operations if o.label == label)
    found = next(p.not_found for p in spec.error_facts.of(op).parameters if p.name == name)
    assert found is not None
    return found.code


def test_the_replayed_enrolment_names_another_record_than_the_created_target(
    spec: Spec, client: TestClient
) -> None:
    """The mock's 404 is enrol's period rule (spec: x-rules period-ref-code), not the target's not-found code."""
    answer = _enrol(client, 2911, _created_target(client))
    codes = Exchange("", answer.status_code, answer.content).error_codes
    enrol = next(o for o in spec.operations if o.label == ENROL)
    assert answer.status_code == 404
    assert codes and set(codes) <= spec.error_facts.of(enrol).business_rule_codes
    assert _not_found(spec, ENROL, "targetId") not in codes
    assert not keeps_failure(spec, _failure(CREATE, ENROL), _answer(answer))


def test_a_404_naming_the_created_target_stands(spec: Spec, client: TestClient) -> None:
    answer = _enrol(client, 2911, 99999999)
    assert _not_found(spec, ENROL, "targetId") in Exchange("", 404, answer.content).error_codes
    assert keeps_failure(spec, _failure(CREATE, ENROL), _answer(answer))


def test_a_404_without_a_code_stands(spec: Spec) -> None:
    answer = _answer(TestClient(create_app(spec, credentials=PAIR)).get("/nowhere"))
    answer.status_code, answer.content = 404, b'{"detail": "gone"}'
    assert keeps_failure(spec, _failure(CREATE, ENROL), answer)


def test_the_created_resource_is_the_segment_past_the_creates_path(spec: Spec, client: TestClient) -> None:
    """After a group's create the group is what was made: the target's 404 names another record, the
    group's 404 names it."""
    group, target = _not_found(spec, ENROL, "targetGroupId"), _not_found(spec, ENROL, "targetId")
    assert created_not_found_codes(spec, CREATE_GROUP, ENROL) == {group}
    assert created_not_found_codes(spec, CREATE, ENROL) == {target}
    unknown_target = _answer(_enrol(client, 2911, 99999999))
    unknown_group = _answer(_enrol(client, 99999999, 1))
    assert group in Exchange("", 404, unknown_group.content).error_codes
    assert not keeps_failure(spec, _failure(CREATE_GROUP, ENROL), unknown_target)
    assert keeps_failure(spec, _failure(CREATE_GROUP, ENROL), unknown_group)


def test_other_failures_stand(spec: Spec, client: TestClient) -> None:
    from schemathesis.core.failures import ServerError

    answer = _answer(_enrol(client, 2911, _created_target(client)))
    assert keeps_failure(spec, ServerError(operation=ENROL, status_code=500), answer)


def test_the_runner_drops_the_false_finding_through_schemathesis(spec: Spec, client: TestClient) -> None:
    """``contracts run`` installs the rule as a ``filter_failure`` hook: schemathesis asks it about the very
    failure and response of the failing run, and it says drop (and no longer once uninstalled)."""
    from schemathesis.hooks import should_keep_failure

    answer = _answer(_enrol(client, 2911, _created_target(client)))
    settings = RunSettings(allow_writes=True)
    plan = make_plan(spec, settings)
    sconfig = glue.config(
        plan,
        base_url="http://127.0.0.1:1",
        headers={},
        timeout=5,
        seed=1,
        max_examples=1,
        workers=1,
        loopback=True,
    )
    case = glue.load(spec, sconfig).find_operation_by_label(ENROL).Case(body=ENROLMENT_BODY)
    collector = Collector(spec, [], Coverage(spec), Cleanup(spec))
    failure = _failure(CREATE, ENROL)
    with glue.installed(collector, Safety(True, prefix="contracts-test-"), Throttle(0.0), {}, loopback=True):
        assert not should_keep_failure(failure, case, answer)
    assert should_keep_failure(failure, case, answer)


def test_plain_schemathesis_hooks_drop_it_too(spec: Spec, client: TestClient) -> None:
    """schemathesis.toml's hooks register the same rules as ``filter_failure`` (run in a process of its own:
    importing the hooks registers checks for the whole process): the enrolment's 404, and a read after the
    soft delete (deactivate-target) but not after the hard one (delete-target-group)."""
    answer = _enrol(client, 2911, _created_target(client))
    other = _enrol(client, 2911, 99999999)
    script = f"""
import json, sys
from schemathesis.core.transport import Response
from schemathesis.openapi.checks import EnsureResourceAvailability, UseAfterFree
from contracts import schemathesis_hooks as hooks
def ask(status, body):
    r = Response(status, {{}}, body.encode(), request=None, elapsed=0.0, verify=True)
    f = EnsureResourceAvailability(operation={CREATE!r}, message="", created_with={CREATE!r},
                                   not_available_with={ENROL!r})
    return hooks.filter_failure(None, f, None, r)
def freed(free):
    r = Response(200, {{}}, b"{{}}", request=None, elapsed=0.0, verify=True)
    return hooks.filter_failure(None, UseAfterFree(operation="", message="", free=free, usage=""), None, r)
print(json.dumps([ask(404, sys.argv[1]), ask(404, sys.argv[2]),
                  freed("DELETE /v3/targetGroups/2911/targets/1"), freed("DELETE /v3/targetGroups/2911")]))
"""
    done = subprocess.run(
        [sys.executable, "-c", script, answer.text, other.text],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == [False, True, False, True]


def _freed(free: str, usage: str) -> Any:
    from schemathesis.openapi.checks import UseAfterFree

    return UseAfterFree(
        operation=usage, message="The API did not return a `HTTP 404 Not Found`", free=free, usage=usage
    )


def test_a_read_after_a_soft_delete_is_no_use_after_free(spec: Spec, client: TestClient) -> None:
    """deactivate-target keeps the target and its communications (``x-soft-delete: active``): the mock
    answers the read after it 200, as the real API does, and schemathesis's finding is dropped."""
    target = _created_target(client)
    base = f"/v3/targetGroups/2911/targets/{target}"
    assert client.delete(base).status_code == 200
    read = client.get(base + "/communications")
    assert read.status_code == 200, read.text
    assert not keeps_failure(spec, _freed(f"DELETE {base}", f"GET {base}/communications"), _answer(read))


def test_a_read_after_a_hard_delete_stands(spec: Spec, client: TestClient) -> None:
    """delete-target-group removes the group: a 2xx read after it is the violation schemathesis says it is."""
    answer = _answer(client.get("/v3/targetGroups/2911"))
    assert keeps_failure(spec, _freed("DELETE /v3/targetGroups/2911", "GET /v3/targetGroups/2911"), answer)
    assert keeps_failure(spec, _freed("", "GET /v3/targetGroups/2911"), answer)  # nothing to match: it stands


def test_the_soft_delete_is_the_specs_word(tmp_path: Path, client: TestClient) -> None:
    """Without ``x-soft-delete`` on deactivate-target (a copy of the spec) the same finding stands."""
    raw = json.loads((ROOT / "spec" / "v3.json").read_text())
    del raw["paths"]["/v3/targetGroups/{targetGroupId}/targets/{targetId}"]["delete"]["x-soft-delete"]
    (tmp_path / "v3.json").write_text(json.dumps(raw))
    base = "/v3/targetGroups/2911/targets/1"
    answer = _answer(client.get(base + "/communications"))
    assert keeps_failure(
        load_spec(tmp_path / "v3.json"), _freed(f"DELETE {base}", f"GET {base}/communications"), answer
    )


def test_a_malformed_soft_delete_excuses_nothing(tmp_path: Path, client: TestClient) -> None:
    """``x-soft-delete: true`` (not a property name; lint says so) leaves the finding standing, no error mid-run."""
    raw = json.loads((ROOT / "spec" / "v3.json").read_text())
    raw["paths"]["/v3/targetGroups/{targetGroupId}/targets/{targetId}"]["delete"]["x-soft-delete"] = True
    (tmp_path / "v3.json").write_text(json.dumps(raw))
    base = "/v3/targetGroups/2911/targets/1"
    answer = _answer(client.get(base + "/communications"))
    freed = _freed(f"DELETE {base}", f"GET {base}/communications")
    assert keeps_failure(load_spec(tmp_path / "v3.json"), freed, answer)
