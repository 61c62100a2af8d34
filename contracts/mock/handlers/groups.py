"""Target groups: create (every variant), read, list, update; milestones; leaderboard."""

from __future__ import annotations

import copy
from typing import Any

from contracts.mock import rules
from contracts.mock.handlers import Call, _date, behaviour, new_period, new_target, page, with_defaults
from contracts.mock.store import attribution, timestamp

NOT_STORED = {
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
"""Request fields a created group does not keep: nested records are stored apart, the rest the API derives."""
CYCLE_BOUNDS = (
    "targetCycleStartDate",
    "targetCycleEndDate",
    "targetCycleStartDateISO",
    "targetCycleEndDateISO",
)
"""Derived by the API from the periods; a request's values are not echoed."""


@behaviour("create-group")
def create_group(call: Call) -> Any:
    body, store = call.body, call.store
    rules.leaderboard_evaluation(call, with_defaults(body, call.defaults()))
    store.reserve(
        1 + len(body.get("periods", [])) + len(body.get("targets", [])) + len(body.get("streaks", []))
    )
    group_id = store.next_id()
    group = {
        "id": group_id,
        "attribution": attribution(),
        **{
            k: copy.deepcopy(v)
            for k, v in with_defaults(body, call.defaults()).items()
            if k not in NOT_STORED
        },
    }
    for key in ("fromDate", "toDate"):
        if key in group:
            group[key] = _date(group[key], call.invalid_input)
    for key in CYCLE_BOUNDS:
        group.pop(key, None)
    store.groups[group_id] = group
    store.set_name(group_id, group.get("name", ""))
    for raw in body.get("periods", []):
        new_period(call, group_id, raw, call.defaults("periods"))
    targets = [new_target(call, group_id, raw, call.defaults("targets")) for raw in body.get("targets", [])]
    for raw in body.get("streaks", []):
        streak = {
            "id": store.next_id(),
            "attribution": attribution(),
            "targetGroupId": group_id,
            "name": raw["name"],
            "targetCountOfSequence": raw["targetCountOfSequence"],
        }
        store.streaks[streak["id"]] = streak
    if call.applies("unified-expression") and rules.is_unified(call, group, body):
        expression = body.get("unifiedTargetExpression") or {}
        group["unifiedTargetExpression"] = {
            "aggregation": expression.get("aggregation"),
            "thresholdValue": expression.get("thresholdValue"),
            "ruleExpression": rules.unified_expression(
                call, [t["id"] for t in targets], body.get("combinationType")
            ),
        }
    return store.group_view(group_id)


@behaviour("list-groups")
def list_groups(call: Call) -> Any:
    periods = bool(call.params.get("includePeriods"))
    return [call.store.group_view(gid, periods=periods) for gid in sorted(call.store.groups)]


@behaviour("read-group")
def read_group(call: Call) -> Any:
    group = call.owner()
    rules.user_created_hidden(call, group)
    return call.store.group_view(
        group["id"],
        periods=bool(call.params.get("includePeriods")),
        only_active_targets=bool(call.params.get("includeOnlyActive")),
    )


@behaviour("update-group")
def update_group(call: Call) -> Any:
    group, body = call.owner(), call.body
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


@behaviour("search-groups")
def search_groups(call: Call) -> Any:
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
    if "status" in p and call.applies("milestone-status"):
        groups = [g for g in groups if rules.milestone_status(call, g) == p["status"]]
    if "start-date" in p:
        groups = [g for g in groups if str(g.get("toDate") or "9999") >= str(p["start-date"])]
    if "end-date" in p:
        groups = [g for g in groups if str(g.get("fromDate") or "0000") <= str(p["end-date"])]
    return page(call, groups)


@behaviour("leaderboard")
def leaderboard(call: Call) -> Any:
    group, target = call.records()[:2]
    rules.leaderboard_enabled(call, group)
    rules.period_of_group(call, group)
    enrolled = sorted(
        (e for (tid, _), e in call.store.enrolments.items() if tid == target["id"]),
        key=lambda e: -e["achievedValue"],
    )
    size, offset = int(call.params["pageSize"]), int(call.params["pageOffset"])
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
