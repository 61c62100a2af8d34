import copy

from _helpers import real, run

from contracts.spec import Spec


def test_undocumented_status_fires(spec: Spec) -> None:
    body = {"data": None, "errors": [{"code": 300004, "message": "x"}]}
    [finding] = run(spec, "status_code_documented", "get-target-channels", 500, body)
    assert finding.actual == 500
    assert "200" in finding.expected
    assert finding.spec_pointer == "/paths/~1v3~1targetGroups~1channels/get/responses"


def test_documented_status_is_quiet(spec: Spec) -> None:
    assert (
        run(
            spec,
            "status_code_documented",
            "get-target-channels",
            200,
            real("get-target-channels__response__200__1"),
        )
        == []
    )


def test_range_and_default_keys_cover_a_status(spec: Spec) -> None:
    raw = copy.deepcopy(spec.raw)
    responses = raw["paths"]["/v3/targetGroups/channels"]["get"]["responses"]
    responses["5XX"] = responses["401"]
    ranged = Spec(raw)
    body = {"data": None, "errors": [{"code": 300004, "message": "x"}]}
    assert run(ranged, "status_code_documented", "get-target-channels", 503, body) == []
    assert len(run(ranged, "status_code_documented", "get-target-channels", 418, body)) == 1
    responses["default"] = responses.pop("5XX")
    assert run(Spec(raw), "status_code_documented", "get-target-channels", 418, body) == []
