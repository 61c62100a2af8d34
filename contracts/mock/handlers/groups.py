"""Target groups: create (every variant), read, list, update, delete; milestones; leaderboard."""

from __future__ import annotations

import copy
from typing import Any

from contracts.mock.handlers import (
    DUPLICATE_NAME,
    LEADERBOARD_OFF,
    NOT_FOUND_GROUP,
    NOT_IN_GROUP,
    Call,
    _date,
    _name_taken,
    _new_period,
    _new_target,
    _page,
    _rule_expression,
    handles,
)
from contracts.mock.replies import Reply
from contracts.mock.store import JSONObject, attribution, timestamp


@handles("create-target-groups")
def create_target_group(call: Call) -> Any:
    body, store = call.body, call.store
    if _name_taken(store, body["name"]):
        raise Reply(DUPLICATE_NAME)
    store.reserve(
        1 + len(body.get("periods", [])) + len(body.get("targets", [])) + len(body.get("streaks", []))
    )
    group_id = store.next_id()
    skip = {
        "id",
        "periods",
        "targets",
        "streaks",
        "activePeriod",
        "unifiedTargetExpression",
        "aggregateWindow",
        "windowType",
        "windowTimeUnit",
        "windowValue",
    }
    group = {
        "id": group_id,
        "attribution": attribution(),
        **{k: copy.deepcopy(v) for k, v in body.items() if k not in skip},
    }
    for key in ("fromDate", "toDate"):
        if key in group:
            group[key] = _date(group[key])
    for key in (
        "targetCycleStartDate",
        "targetCycleEndDate",
        "targetCycleStartDateISO",
        "targetCycleEndDateISO",
    ):
        group.pop(key, None)
    group.setdefault("active", True)
    group.setdefault("trackingType", "DEFAULT")
    store.groups[group_id] = group
    store.set_name(group_id, group.get("name", ""))
    for raw in body.get("periods", []):
        _new_period(store, group_id, raw)
    targets = [_new_target(store, group_id, raw) for raw in body.get("targets", [])]
    for raw in body.get("streaks", []):
        streak = {
            "id": store.next_id(),
            "attribution": attribution(),
            "targetGroupId": group_id,
            "name": raw["name"],
            "targetCountOfSequence": raw["targetCountOfSequence"],
        }
        store.streaks[streak["id"]] = streak
    if group["trackingType"] == "UNIFIED" or "combinationType" in body:
        expression = body.get("unifiedTargetExpression") or {}
        group["unifiedTargetExpression"] = {
            "aggregation": expression.get("aggregation"),
            "thresholdValue": expression.get("thresholdValue"),
            "ruleExpression": _rule_expression([t["id"] for t in targets], body.get("combinationType")),
        }
    return store.group_view(group_id)


@handles("get-target-groups-all")
def get_all_target_groups(call: Call) -> Any:
    periods = bool(call.params.get("includePeriods"))
    return [call.store.group_view(gid, periods=periods) for gid in sorted(call.store.groups)]


@handles("get-target-groups-id")
def get_target_group(call: Call) -> Any:
    group = call.group()
    if group.get("userCreated") and not call.params.get("includeUserCreatedTargetGroups"):
        raise Reply(NOT_FOUND_GROUP)
    return call.store.group_view(
        group["id"],
        periods=bool(call.params.get("includePeriods")),
        only_active_targets=bool(call.params.get("includeOnlyActive")),
    )


@handles("update-target-group")
def update_target_group(call: Call) -> Any:
    group, body = call.group(), call.body
    if "name" in body and _name_taken(call.store, body["name"], but=group["id"]):
        raise Reply(DUPLICATE_NAME)
    if "name" in body:
        call.store.set_name(group["id"], body["name"])
    for key in ("name", "description"):
        if key in body:
            group[key] = body[key]
    for raw in body.get("targets", []):
        target = call.store.targets.get(raw.get("id"))
        if target is not None and target.get("targetGroupId") == group["id"]:
            target.update({k: raw[k] for k in ("expression", "expressionJson") if k in raw})
            if isinstance(target.get("expression"), bool):
                target["expression"] = str(target["expression"]).lower()
            target["attribution"] = {**target.get("attribution", {}), "lastUpdatedOn": timestamp()}
    group["attribution"] = {**group.get("attribution", attribution()), "lastUpdatedOn": timestamp()}
    return call.store.group_view(group["id"])


@handles("delete-target-group")
def delete_target_group(call: Call) -> Any:
    call.store.delete_group(call.group()["id"])
    return True


@handles("get-all-milestones")
def get_all_milestones(call: Call) -> Any:
    p, store = call.params, call.store
    groups = [store.group_view(gid, periods=bool(p.get("require-periods"))) for gid in sorted(store.groups)]
    if not p.get("includeUserCreatedTargetGroups"):
        groups = [g for g in groups if not g.get("userCreated")]
    if "type" in p:
        groups = [g for g in groups if g.get("trackingType") == p["type"]]
    if "name" in p:
        groups = [g for g in groups if str(p["name"]).casefold() in str(g.get("name", "")).casefold()]
    if "target-on" in p:
        groups = [
            g for g in groups if any(t.get("targetType") == p["target-on"] for t in g.get("targets", []))
        ]
    if "status" in p:
        groups = [g for g in groups if _status(g) == p["status"]]
    if "start-date" in p:
        groups = [g for g in groups if str(g.get("toDate") or "9999") >= str(p["start-date"])]
    if "end-date" in p:
        groups = [g for g in groups if str(g.get("fromDate") or "0000") <= str(p["end-date"])]
    return _page(call, groups)


def _status(group: JSONObject) -> str:
    if not group.get("active", True):
        return "STOPPED"
    statuses = {p.get("periodStatus") for p in group.get("periods", [])} | (
        {group["activePeriod"].get("periodStatus")} if group.get("activePeriod") else set()
    )
    if statuses & {"RUNNING", "LIVE"}:
        return "LIVE"
    if statuses and statuses <= {"ENDED"}:
        return "ENDED"
    return "UPCOMING"


@handles("get-top-ranked-users")
def get_top_ranked_users(call: Call) -> Any:
    group = call.group()
    target = call.store.targets.get(call.params["targetId"])
    if target is None or target.get("targetGroupId") != group["id"]:
        raise Reply(NOT_IN_GROUP)
    if not group.get("leaderboardEnabled"):
        raise Reply(LEADERBOARD_OFF)
    enrolled = sorted(
        (e for (tid, _), e in call.store.enrolments.items() if tid == target["id"]),
        key=lambda e: -e["achievedValue"],
    )
    size = int(call.params.get("pageSize", 10))
    offset = int(call.params.get("pageOffset", 0))
    rankings = [
        {"rank": offset + i + 1, "userId": e["customerId"], "achievedValue": e["achievedValue"]}
        for i, e in enumerate(enrolled[offset : offset + size])
    ]
    call.extra["pagination"] = {"limit": size, "offset": offset, "total": len(enrolled)}
    return {
        "targetGroupId": group["id"],
        "targetGroupName": group.get("name", ""),
        "targetRuleId": target["id"],
        "targetRuleName": target.get("name", ""),
        "rankings": rankings,
    }
