"""Round-2 curation decisions (spec/NOTES.md), one test each, named with its source.

Sources: ops.md = ../shared/capillary/ops.md; S2 = seed 002 (the index page); [R] = the documentation
page of the named slug (docs.capillarytech.com/reference/<slug>); [L] = legacy Slate docs
(Capillary/api-documentation, source/includes/_targetLoyalty.md).
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from openapi_core import OpenAPI
from openapi_core.validation.response.exceptions import InvalidData

from ._support import PAYLOADS, Payload, operation_for_slug, operations, validate_response_body

GROUP_ID = "get-target-groups-id"


def _payload(name: str) -> Any:
    return Payload(PAYLOADS / f"{name}.json").body()


def _valid(openapi: OpenAPI, spec: dict[str, Any], slug: str, body: Any, status: int = 200) -> None:
    validate_response_body(openapi, operation_for_slug(spec, slug), status, body)


def _invalid(openapi: OpenAPI, spec: dict[str, Any], slug: str, body: Any, status: int = 200) -> None:
    with pytest.raises(InvalidData):
        _valid(openapi, spec, slug, body, status)


def _pattern(spec: dict[str, Any], name: str) -> re.Pattern[str]:
    return re.compile(spec["components"]["schemas"][name]["pattern"])


def test_get_target_groups_id_data_object_and_array_ops_md_2(
    spec_dict: dict[str, Any], openapi: OpenAPI
) -> None:
    """ops.md #2 and [R] get-target-groups-id: one example answers an object, "user created targets
    included" an array; both are real, both validate; a scalar or a list of scalars does not."""
    one, many = _payload(f"{GROUP_ID}__response__200__1"), _payload(f"{GROUP_ID}__response__200__2")
    assert isinstance(one["data"], dict) and isinstance(many["data"], list)
    _valid(openapi, spec_dict, GROUP_ID, one)
    _valid(openapi, spec_dict, GROUP_ID, many)
    for data in (1, [1], [{"name": "no id"}]):
        _invalid(openapi, spec_dict, GROUP_ID, {**one, "data": data})


def test_no_error_sentinel_on_success_only_legacy_delete_sample(
    spec_dict: dict[str, Any], openapi: OpenAPI
) -> None:
    """[L] delete sample and ops.md #44: `errors: [{code: 0, message: ""}]` beside `data: true` is a valid
    2xx; nothing else may sit in `errors` of a 2xx; code 0 is not catalogued."""
    legacy = _payload("delete-target-group__response__200__2")
    _valid(openapi, spec_dict, "delete-target-group", legacy)
    for errors in (
        [{"code": 0, "message": ""}] * 2,
        [{"code": 0, "message": "x"}],
        [{"code": 1, "message": ""}],
    ):
        _invalid(openapi, spec_dict, "delete-target-group", {**legacy, "errors": errors})
    assert "0" not in spec_dict["components"]["x-error-codes"]
    for name, schema in spec_dict["components"]["schemas"].items():
        if name.endswith("Envelope") and name not in ("Envelope", "ErrorEnvelope"):
            errors = schema["allOf"][1]["properties"]["errors"]
            assert errors["maxItems"] == 1 and "NoError" in str(errors["not"]), name


def test_nulls_of_the_user_views_getusertargetgroupdetails_page(
    spec_dict: dict[str, Any], openapi: OpenAPI
) -> None:
    """[R] getusertargetgroupdetails (complete examples) and [R] connectedorgs-get-associated-target-groups-
    of-a-user: targetId, milestones and targetAchievedDateTime are null before progress; a streak not
    started has userStreakId and streakAchievedDateTime null."""
    body = _payload("getusertargetgroupdetails__response__200__1")
    target = body["data"]["targetGroups"][1]["targets"][0]
    assert target["targetId"] is None and target["milestones"] is None
    _valid(openapi, spec_dict, "getusertargetgroupdetails", body)
    connected = _payload("connectedorgs-get-associated-target-groups-of-a-user__response__200__1")
    streak = connected["data"]["targetGroups"][1]["streaks"][0]
    assert streak["userStreakId"] is None and streak["streakAchievedDateTime"] is None
    assert streak["status"] == "NOT_STARTED"
    assert connected["data"]["targetGroups"][0]["targets"][0]["targetAchievedDateTime"] is None
    assert connected["data"]["targetGroups"][0]["orgId"] == 50363
    _valid(openapi, spec_dict, "connectedorgs-get-associated-target-groups-of-a-user", connected)
    view = copy.deepcopy(body)
    view["data"]["targetGroups"][0]["targets"][0]["targetRuleId"] = None
    _invalid(openapi, spec_dict, "getusertargetgroupdetails", view)


@pytest.mark.parametrize(
    ("component", "accepted", "rejected"),
    [
        ("Timestamp", ["2024-04-01T16:04:29.145+0530", "2024-12-10T11:49:28.972+0000"],
         ["2024-04-01T16:04:29Z", "2024-04-01T16:04:29.145+05:30"]),
        ("IsoTimestamp", ["2025-07-23T07:18:01Z", "2024-02-19T00:00:00.000Z"],
         ["2025-07-23T07:18:01", "2025-07-23T07:18:01.1Z", "2025-07-23T07:18:01+0000"]),
        ("EventTimestamp", ["2025-01-09 12:00:12.0"], ["2025-01-09T12:00:12.0", "2025-01-09 12:00:12"]),
        ("AchievedTimestamp", ["2024-06-10T13:56:27.000+0000", "2024-08-27T09:43:41.000Z"],
         ["2024-08-27T09:43:41Z", "2024-06-10T13:56:27.000IST"]),
        ("ZonedTimestamp", ["2024-06-24T17:37:00.000IST", "2022-11-25T21:45:05.000IST"],
         ["2024-06-24T17:37:00.000z", "2024-06-24T17:37:00.000Z", "2024-06-24T17:37:00IST"]),
    ],
)  # fmt: skip
def test_timestamp_components_accept_exactly_the_shapes_seen(
    spec_dict: dict[str, Any], component: str, accepted: list[str], rejected: list[str]
) -> None:
    """Shapes of the real examples: attribution +0000/+0530 (every create/get page), *ISO and *WithTimeStamp
    Z (get-target-groups-id [R], getusertargetgroupdetails [R]), tracked events (get-target-events [R]),
    achieved times +0000 and Z (getusertargetgroupdetails [R], connectedorgs v3.1 [R]), leaderboards IST
    (get-top-ranked-users [R], get-user-ranks-across-target-groups [R])."""
    pattern = _pattern(spec_dict, component)
    assert all(pattern.search(v) for v in accepted), component
    assert not any(pattern.search(v) for v in rejected), component
    assert set(spec_dict["components"]["schemas"][component]["examples"]) <= set(accepted)


def test_undeclared_properties_of_real_responses_are_declared(spec_dict: dict[str, Any]) -> None:
    """getusertargetgroupdetails [R] (periodStart/EndDateWithTimeStamp, targetAchievedDateTime), connectedorgs
    v3.1 [R] (orgId of a user's group, streakAchievedDateTime of streaks), get-target-groups-all and
    get-all-milestones (orgId of groups, targetAudienceFilter of targets, ops.md §18, §24)."""
    schemas = spec_dict["components"]["schemas"]
    wanted = {
        "UserTarget": {
            "periodStartDateWithTimeStamp",
            "periodEndDateWithTimeStamp",
            "targetAchievedDateTime",
        },
        "UserStreak": {"streakAchievedDateTime", "userStreakId"},
        "UserTargetGroup": {"orgId"},
        "TargetGroup": {"orgId"},
        "Target": {"targetAudienceFilter"},
    }
    for name, props in wanted.items():
        assert props <= set(schemas[name]["properties"]), name


def test_201_is_a_success_of_every_post_s2(spec_dict: dict[str, Any]) -> None:
    """S2 (index page): "201 Created (For POST operations)"; same schema as the 200."""
    posts = [op for op in operations(spec_dict) if op.method == "post"]
    assert len(posts) >= 10
    for op in posts:
        responses = op.raw["responses"]
        assert "201" in responses, op.operation_id
        schema = responses["201"]["content"]["application/json"]["schema"]
        assert schema == responses["200"]["content"]["application/json"]["schema"], op.operation_id


def test_user_type_is_an_open_string_seed_004(spec_dict: dict[str, Any], openapi: OpenAPI) -> None:
    """S4 (get-active-targets table): standard users, admin users and org owners, values undocumented;
    examples answer TILL and ADMIN_USER. An org owner's attribution must not be rejected."""
    user_type = spec_dict["components"]["schemas"]["UserType"]
    assert "enum" not in user_type and user_type["type"] == "string"
    body = _payload("get-targets__response__200__1")
    body["data"][0]["attribution"]["createdBy"]["type"] = "ORG_OWNER"
    _valid(openapi, spec_dict, "get-targets", body)
    body["data"][0]["attribution"]["createdBy"]["type"] = 3
    _invalid(openapi, spec_dict, "get-targets", body)


def test_streak_status_is_an_open_string_getusertargetgroupdetails(
    spec_dict: dict[str, Any], openapi: OpenAPI
) -> None:
    """[R] getusertargetgroupdetails: the table says "ACHIEVED (e.g.)"; the complete examples answer
    INPROGRESS too, connectedorgs v3.1 [R] NOT_STARTED: the former single-value enum rejected real answers."""
    status = spec_dict["components"]["schemas"]["StreakStatus"]
    assert "enum" not in status and set(status["examples"]) == {"ACHIEVED", "INPROGRESS", "NOT_STARTED"}
    body = _payload("getusertargetgroupdetails__response__200__1")
    assert {s["status"] for g in body["data"]["targetGroups"] for s in g.get("streaks", [])} == {
        "ACHIEVED",
        "INPROGRESS",
    }
    _valid(openapi, spec_dict, "getusertargetgroupdetails", body)


@pytest.mark.parametrize(
    ("slug", "method", "path", "codes"),
    [
        ("check-validity-of-milestone-name", "post", "/v3/targetGroups/isValidName", {310145}),
        ("get-user-ranks-across-target-groups", "get", "/v3.1/leaderboards/user/{userId}", {51512, 310133}),
        ("connectedorgs-get-associated-target-groups-of-a-user", "get", "/v3.1/users/{userId}/targetGroups", {310011}),
        ("connectedorgs-enroll-customer-milestone-or-streak", "post",
         "/v3.1/targetGroups/{targetGroupId}/targets/{targetId}/enroll", {310141, 310144}),
        ("connectedorgs-unenroll-customer-milestone-or-streak", "post",
         "/v3.1/targetGroups/{targetGroupId}/targets/{targetId}/unEnroll", {310141, 310144}),
    ],
)  # fmt: skip
def test_new_operations_from_their_pages(
    spec_dict: dict[str, Any], slug: str, method: str, path: str, codes: set[int]
) -> None:
    """[R] of each slug: operationId = slug, path and method as documented, its codes catalogued (status 400)."""
    op = operation_for_slug(spec_dict, slug)
    assert (op.operation_id, op.method, op.path) == (slug, method, path)
    assert codes <= set(op.raw["x-error-codes"])
    for code in codes:
        assert spec_dict["components"]["x-error-codes"][str(code)]["status"] == 400
    if slug != "check-validity-of-milestone-name":
        headers = {p["name"] for p in op.parameters if p["in"] == "header"}
        assert headers == {"DATA-SCOPE", "DATA-SCOPE-ORG"}


def test_name_types_are_the_apis_camel_case_keys_check_validity_page(spec_dict: dict[str, Any]) -> None:
    """[R] check-validity-of-milestone-name: "Supported values are: targetGroupName, streakName, targetName,
    streakLevelName, periodName" (anything else: 310145)."""
    name_type = spec_dict["components"]["schemas"]["NameType"]
    assert name_type["enum"] == [
        "targetGroupName",
        "streakName",
        "targetName",
        "streakLevelName",
        "periodName",
    ]
    assert name_type["x-casing"] == "camelCase"


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("2024-02-29", True),
        ("2000-02-29T10:30:00Z", True),
        ("2023-02-29", False),
        ("1900-02-29", False),
        ("5575-02-29", False),
        ("2024-02-28T23:59:00.000", True),
        ("2024-04-31", False),
        ("0000-01-01", False),
    ],
)
def test_request_dates_are_calendar_dates(spec_dict: dict[str, Any], value: str, accepted: bool) -> None:
    """NOTES "impossible calendar dates": the pattern admits what the mock can read (tests/mock/test_fuzz.py)."""
    pattern = spec_dict["components"]["schemas"]["RequestDateTime"]["pattern"]
    assert bool(re.match(pattern, value)) is accepted
