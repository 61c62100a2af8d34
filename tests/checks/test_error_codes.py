from _helpers import real, run

from contracts.spec import Spec

ERR = real("get-active-targets__response__error__2")


def _body(code: int) -> dict[str, object]:
    return {"data": None, "errors": [{"code": code, "message": "x"}], "warnings": None}


def test_uncatalogued_code_fires(spec: Spec) -> None:
    [finding] = run(spec, "error_code_documented", "get-active-targets", 400, _body(999999))
    assert "not in the catalogue" in finding.message
    assert finding.expected == [300004, 310011, 310130]


def test_code_of_another_operation_fires(spec: Spec) -> None:
    [finding] = run(spec, "error_code_documented", "get-active-targets", 400, _body(310069))
    assert finding.spec_pointer.endswith("/x-error-codes")
    assert finding.pointer == "/errors/0/code"
    catalogued = spec.error_catalogue[310069].message
    assert finding.extra == {"catalogue_message": catalogued}
    assert f"error code 310069 ({catalogued}) is not documented for get-active-targets" in finding.message
    assert "(documented for 400: 300004, 310011, 310130)" in finding.message


def test_code_with_the_wrong_status_fires(spec: Spec) -> None:
    [finding] = run(spec, "error_code_matches_status", "get-active-targets", 404, ERR)
    assert finding.expected == 400
    assert finding.actual == 404
    assert finding.spec_pointer == "/components/x-error-codes/310130"
    assert "catalogued with status 400, answered with 404" in finding.message


def test_real_error_bodies_are_quiet(spec: Spec) -> None:
    for check in ("error_code_documented", "error_code_matches_status"):
        assert run(spec, check, "get-active-targets", 400, ERR) == []
        assert (
            run(
                spec,
                check,
                "create-target-groups",
                400,
                real("create-target-based-on-alternate-currencies__response__error__1"),
            )
            == []
        )
