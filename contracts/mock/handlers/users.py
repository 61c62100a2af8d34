"""Customers: enrolment, their target groups, active targets and tracked events."""

from __future__ import annotations

import copy
from typing import Any

from contracts.mock.handlers import (
    ALREADY_ENROLLED,
    NO_USER_TARGET,
    NOT_FOUND_PERIOD,
    NOT_FOUND_TARGET,
    Call,
    _page,
    handles,
)
from contracts.mock.replies import Reply
from contracts.mock.store import JSONObject, timestamp


@handles("enrol-customer-to-a-milestone")
def enrol(call: Call) -> Any:
    target, store = call.target(), call.store
    refs = {p.get("refCode") for p in store.periods_of(target["targetGroupId"])}
    store.reserve(len(call.body))
    for raw in call.body:
        key = (target["id"], raw["customerId"])
        if key in store.enrolments and not raw.get("resetStreakStatus"):
            raise Reply(ALREADY_ENROLLED)
        if raw.get("periodName") is not None and refs and raw["periodName"] not in refs:
            raise Reply(NOT_FOUND_PERIOD)
        store.enrolments[key] = {
            "targetId": target["id"],
            "targetGroupId": target["targetGroupId"],
            "customerId": raw["customerId"],
            "achievedValue": raw.get("initialBalance") or 0,
            "enrolledOn": timestamp(),
        }
    return call.body[-1]["customerId"]


@handles("un-enrol-users-into-a-milestonestreak")
def unenrol(call: Call) -> Any:
    target = call.target()
    for raw in call.body:
        if call.store.enrolments.pop((target["id"], raw["customerId"]), None) is None:
            raise Reply(ALREADY_ENROLLED, "the customer is not enrolled")
    return call.body[-1]["customerId"]


def _user_targets(call: Call) -> list[JSONObject]:
    user = call.params["userId"]
    return [
        copy.deepcopy(call.store.targets[tid])
        for (tid, cid) in sorted(call.store.enrolments)
        if cid == user and tid in call.store.targets
    ]


@handles("get-active-targets")
def get_active_targets(call: Call) -> Any:
    targets = [t for t in _user_targets(call) if t.get("active", True)]
    if "targetRuleIds" in call.params:
        wanted = {int(x) for x in str(call.params["targetRuleIds"]).split(",")}
        targets = [t for t in targets if t["id"] in wanted]
    if "enrollmentType" in call.params:
        targets = [
            t for t in targets if t.get("enrolmentMethod", "TRANSACTION") == call.params["enrollmentType"]
        ]
    if call.params.get("includeOnlyUserCreated"):
        targets = [t for t in targets if call.store.groups.get(t["targetGroupId"], {}).get("userCreated")]
    return targets


@handles("getusertargetgroupdetails")
def get_user_target_groups(call: Call) -> Any:
    user, store = call.params["userId"], call.store
    groups: dict[int, JSONObject] = {}
    for target in _user_targets(call):
        if not (target.get("active", True) or call.params.get("includeInactiveTargets")):
            continue
        if "targetRuleId" in call.params and target["id"] != call.params["targetRuleId"]:
            continue
        group = store.groups.get(target["targetGroupId"], {"id": target["targetGroupId"], "name": ""})
        entry = groups.setdefault(
            group["id"], {"id": group["id"], "name": group.get("name", ""), "targets": []}
        )
        for key in ("trackingType", "targetEvaluationType", "preferredTillId"):
            if key in group:
                entry[key] = group[key]
        enrolment = store.enrolments[(target["id"], user)]
        entry["targets"].append(
            {
                "targetId": target["id"],
                "targetName": target.get("name"),
                "targetRuleId": target["id"],
                "targetAchievedValue": enrolment["achievedValue"],
                "currentPeriod": True,
                "milestones": [],
            }
        )
    return {"userId": user, "customer": {"id": user}, "targetGroups": list(groups.values())}


@handles("get-target-events")
def get_target_events(call: Call) -> Any:
    target = call.store.targets.get(call.params["targetRuleId"])
    if target is None:
        raise Reply(NOT_FOUND_TARGET)
    if "periodId" in call.params and call.params["periodId"] not in call.store.periods:
        raise Reply(NOT_FOUND_PERIOD)
    if (target["id"], call.params["userId"]) not in call.store.enrolments:
        raise Reply(NO_USER_TARGET)
    return _page(call, [])
