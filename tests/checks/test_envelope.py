import copy

import pytest
from _helpers import real, run

from contracts.checks import iter_findings
from contracts.exchange import Exchange
from contracts.spec import Spec

OK = real("get-target-channels__response__200__1")
ERR = real("get-active-targets__response__error__1")


def test_bare_payload_without_envelope_fires(spec: Spec) -> None:
    findings = run(spec, "envelope_shape", "get-target-channels", 200, OK["data"])
    assert findings[0].message == "the body is a list, not the envelope object"
    findings = run(spec, "envelope_shape", "get-target-channels", 200, {"data": OK["data"]})
    assert [f.pointer for f in findings] == ["/errors"]


@pytest.mark.parametrize(
    ("status", "body", "pointers"),
    [
        (200, {"data": None, "errors": None}, ["/data"]),
        (200, {"data": [], "errors": [{"code": 1, "message": "x"}]}, ["/errors"]),
        (400, {"data": {"id": 1}, "errors": []}, ["/data", "/errors"]),
        (400, {"data": None, "errors": None}, ["/errors"]),
    ],
)
def test_data_iff_success_fires(
    spec: Spec, status: int, body: dict[str, object], pointers: list[str]
) -> None:
    assert [f.pointer for f in run(spec, "data_iff_success", "get-active-targets", status, body)] == pointers


def test_errors_array_shape_fires(spec: Spec) -> None:
    body = {"data": None, "errors": [{"code": "310011", "message": 5}, "oops"]}
    found = run(spec, "errors_array_shape", "get-active-targets", 400, body)
    assert [f.pointer for f in found] == ["/errors/0/code", "/errors/0/message", "/errors/1"]
    assert (
        run(spec, "errors_array_shape", "get-active-targets", 400, {"data": None, "errors": {}})[0].pointer
        == "/errors"
    )


def test_warnings_shape_fires(spec: Spec) -> None:
    body = {**OK, "warnings": "careful"}
    assert [f.pointer for f in run(spec, "warnings_shape", "get-target-channels", 200, body)] == ["/warnings"]


@pytest.mark.parametrize(
    "check", ["envelope_shape", "data_iff_success", "errors_array_shape", "warnings_shape"]
)
def test_real_envelopes_are_quiet(spec: Spec, check: str) -> None:
    assert run(spec, check, "get-target-channels", 200, OK) == []
    assert run(spec, check, "get-active-targets", 400, ERR) == []


# --- the legacy "no error" sentinel (spec/NOTES.md; legacy _targetLoyalty.md delete sample) ----------------

SENTINEL = {"code": 0, "message": ""}


def test_sentinel_on_a_success_is_quiet(spec: Spec) -> None:
    body = real("delete-target-group__response__200__2")
    assert body["errors"] == [SENTINEL]
    for check in (
        "data_iff_success",
        "errors_array_shape",
        "response_schema_conformance",
        "error_code_documented",
    ):
        assert run(spec, check, "delete-target-group", 200, body) == [], check


@pytest.mark.parametrize(
    "errors",
    [
        [SENTINEL, SENTINEL],
        [SENTINEL, {"code": 300004, "message": "Invalid input"}],
        [{"code": 0, "message": "ok"}],
        [{"code": False, "message": ""}],
        [{"code": 310017, "message": "Target group not found or deactivated"}],
    ],
    ids=["twice", "beside-a-real-error", "with-a-message", "false-not-zero", "a-real-error"],
)
def test_anything_else_in_errors_of_a_success_fires(spec: Spec, errors: list[dict[str, object]]) -> None:
    body = {"data": True, "errors": errors}
    findings = run(spec, "data_iff_success", "delete-target-group", 200, body)
    assert [f.pointer for f in findings] == ["/errors"]
    assert findings[0].extra["sentinel"] == "/components/schemas/NoError"
    assert run(spec, "response_schema_conformance", "delete-target-group", 200, body) == []


def test_sentinel_on_an_error_status_is_named_not_catalogued(spec: Spec) -> None:
    body = {"data": None, "errors": [SENTINEL], "warnings": None}
    findings = run(spec, "error_code_documented", "delete-target-group", 404, body)
    assert [f.pointer for f in findings] == ["/errors/0/code"]
    assert findings[0].spec_pointer == "/components/schemas/NoError"
    assert '"no error" sentinel, which only a 2xx may carry' in findings[0].message
    assert 0 not in spec.error_catalogue


def test_sentinel_comes_from_the_spec(spec: Spec) -> None:
    from contracts.checks.envelope import is_no_error, no_error

    assert no_error(spec) == SENTINEL
    assert is_no_error(spec, {**SENTINEL, "extra": 1})
    assert not is_no_error(spec, {"code": 0})
    raw = copy.deepcopy(spec.raw)
    raw["components"]["schemas"]["NoError"]["properties"]["message"]["const"] = "OK"
    assert not is_no_error(Spec(raw), SENTINEL)
    del raw["components"]["schemas"]["NoError"]
    assert no_error(Spec(raw)) is None


# --- each fact once: the envelope checks own the envelope's keywords ---------------------------------------

GROUP = real("get-target-groups-id__response__200__1")


def _all(spec: Spec, operation: str, status: int, body: object) -> list[tuple[str, str, str]]:
    exchange = Exchange.from_json(operation, status, body)
    return [(f.check, f.pointer, f.spec_pointer) for f in iter_findings(spec, exchange)]


def test_a_success_carrying_errors_is_one_finding_where_the_schema_writes_it(spec: Spec) -> None:
    body = {**GROUP, "errors": [{"code": 310001, "message": "Invalid target group id"}]}
    assert _all(spec, "get-target-groups-id", 200, body) == [
        (
            "data_iff_success",
            "/errors",
            "/components/schemas/TargetGroupOrListEnvelope/allOf/1/properties/errors/not",
        )
    ]


@pytest.mark.parametrize(
    ("status", "body", "owner"),
    [
        (200, {"errors": None, "warnings": None}, "envelope_shape"),  # data missing: not also "null data"
        (400, {"data": None, "warnings": None}, "envelope_shape"),  # errors missing: not also "no errors"
        (200, {"data": [], "errors": "oops"}, "errors_array_shape"),  # not also "carries errors"
        (400, {"data": None, "errors": {"code": 1}}, "errors_array_shape"),
    ],
)
def test_an_envelope_defect_is_reported_by_one_check(
    spec: Spec, status: int, body: dict[str, object], owner: str
) -> None:
    found = _all(spec, "get-active-targets", status, body)
    assert [check for check, pointer, _ in found if pointer in ("/data", "/errors")] == [owner]
