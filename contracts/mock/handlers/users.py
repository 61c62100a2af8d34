"""Customers: enrolment, their target groups, active targets and tracked events (projections of the store)."""

from __future__ import annotations

import copy
from typing import Any

from contracts.mock import rules
from contracts.mock.handlers import Call, behaviour, page
from contracts.mock.store import JSONObject, timestamp


@behaviour("enrol")
def enrol(call: Call) -> Any:
    target, store = call.owner(), call.store
    refs = {p.get("refCode") for p in store.periods_of(target["targetGroupId"])}
    store.reserve(len(call.body))
    for raw in call.body:
        key = (target["id"], raw["customerId"])
        rules.enrolment(call, key, raw)
        rules.period_ref_code(call, raw, refs)
        store.enrolments[key] = {
            "targetId": target["id"],
            "targetGroupId": target["targetGroupId"],
            "customerId": raw["customerId"],
            "achievedValue": raw.get("initialBalance") or 0,
            "enrolledOn": timestamp(),
        }
    return call.body[-1]["customerId"]


@behaviour("unenrol")
def unenrol(call: Call) -> Any:
    target = call.owner()
    rules.group_period(call, call.store.periods_of(target["targetGroupId"]))
    for raw in call.body:
        rules.unenrolment(call, call.store.enrolments.pop((target["id"], raw["customerId"]), None))
    return call.body[-1]["customerId"]


def _user_targets(call: Call) -> list[JSONObject]:
    user = call.params["userId"]
    return [
        copy.deepcopy(call.store.targets[tid])
        for (tid, cid) in sorted(call.store.enrolments)
        if cid == user and tid in call.store.targets
    ]


@behaviour("user-targets")
def user_targets(call: Call) -> Any:
    targets = [t for t in _user_targets(call) if t.get("active", True)]
    if "targetRuleIds" in call.params:
        wanted = {int(x) for x in str(call.params["targetRuleIds"]).split(",")}
        targets = [t for t in targets if t["id"] in wanted]
    if "enrollmentType" in call.params:
        implied = call.roles("EnrolmentMethod", "implied")[0]
        targets = [t for t in targets if t.get("enrolmentMethod", implied) == call.params["enrollmentType"]]
    if call.params.get("includeOnlyUserCreated"):
        targets = [t for t in targets if call.store.groups.get(t["targetGroupId"], {}).get("userCreated")]
    return targets


@behaviour("user-target-groups")
def user_target_groups(call: Call) -> Any:
    """The user's groups, each the group record projected onto the entry schema, with the user's targets:
    each the target record projected onto the target entry schema, plus what the view names otherwise
    (the target's id and name as ``targetId``/``targetRuleId``/``targetName``) and the enrolment's."""
    user, store = call.params["userId"], call.store
    entry_shape = call.shape.prop("targetGroups").item()
    target_shape = entry_shape.prop("targets").item()
    groups: dict[int, JSONObject] = {}
    for target in _user_targets(call):
        if not (target.get("active", True) or call.params.get("includeInactiveTargets")):
            continue
        if "targetRuleId" in call.params and target["id"] != call.params["targetRuleId"]:
            continue
        group = store.groups.get(target["targetGroupId"], {"id": target["targetGroupId"], "name": ""})
        entry = groups.get(group["id"])
        if entry is None:
            entry = groups[group["id"]] = {**entry_shape.project(group), "targets": []}
        enrolment = store.enrolments[(target["id"], user)]
        entry["targets"].append(
            {
                **target_shape.project(target),
                "targetId": target["id"],
                "targetName": target.get("name"),
                "targetRuleId": target["id"],
                "targetAchievedValue": enrolment["achievedValue"],
                "enrolledOn": enrolment["enrolledOn"],
                "currentPeriod": True,
                "milestones": [],
            }
        )
    return {"userId": user, "customer": {"id": user}, "targetGroups": list(groups.values())}


@behaviour("user-events")
def user_events(call: Call) -> Any:
    target = call.records()[0]
    rules.enrolled_user(call, (target["id"], call.params["userId"]))
    return page(call, [])
