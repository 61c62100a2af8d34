import pytest
from _helpers import real, run

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
