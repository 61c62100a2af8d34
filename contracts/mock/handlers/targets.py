"""Periods, targets, unified targets, communications and channels of a target group."""

from __future__ import annotations

import copy
from typing import Any

from contracts.mock.handlers import (
    NOT_FOUND_PERIOD,
    NOT_FOUND_TARGET,
    TRIGGERS,
    Call,
    _date,
    _default_values,
    _new_period,
    _new_target,
    _rule_expression,
    handles,
)
from contracts.mock.replies import Reply
from contracts.mock.store import attribution, timestamp


@handles("create-target-period")
def create_target_periods(call: Call) -> Any:
    group = call.group()
    call.store.reserve(len(call.body))
    return [_new_period(call.store, group["id"], raw) for raw in call.body]


@handles("update-target-period")
def update_target_periods(call: Call) -> Any:
    group = call.group()
    updated = []
    for raw in call.body:
        period = call.store.periods.get(raw.get("id"))
        if period is None or period.get("targetGroupId") != group["id"]:
            raise Reply(NOT_FOUND_PERIOD)
        status = str(period.get("periodStatus"))
        editable = {"RUNNING": ("endDate",), "LIVE": ("endDate",), "ENDED": ()}.get(
            status, ("startDate", "endDate")
        )
        for key in editable:
            if key in raw:
                period[key] = _date(raw[key])
        for key in ("description", "refCode", "active"):
            if key in raw and status != "ENDED":
                period[key] = str(raw[key]) if key == "refCode" else raw[key]
        updated.append(copy.deepcopy(period))
    return updated


@handles("get-target-periods")
def get_target_periods(call: Call) -> Any:
    return call.store.periods_of(call.group()["id"])


@handles("create-targets")
def create_targets(call: Call) -> Any:
    group = call.group()
    items = call.body if isinstance(call.body, list) else [call.body]
    call.store.reserve(len(items))
    return [_new_target(call.store, group["id"], raw) for raw in items]


@handles("get-targets")
def get_targets(call: Call) -> Any:
    return call.store.targets_of(call.group()["id"])


@handles("modify-target")
def modify_target(call: Call) -> Any:
    target = call.target()
    for key, value in call.body.items():
        if key in ("id", "targetGroupId", "attribution", TRIGGERS):
            continue
        target[key] = (
            _default_values(call.store, value, call.store.periods_of(target["targetGroupId"]))
            if key == "defaultValues"
            else copy.deepcopy(value)
        )
    if isinstance(target.get("expression"), bool):
        target["expression"] = str(target["expression"]).lower()
    target["attribution"] = {**target.get("attribution", attribution()), "lastUpdatedOn": timestamp()}
    return copy.deepcopy(target)


@handles("deactivate-target")
def deactivate_target(call: Call) -> Any:
    call.target()["active"] = False
    return True


@handles("update-unified-target")
def update_unified_target(call: Call) -> Any:
    group, body, store = call.group(), call.body, call.store
    for raw in body.get("targets", []):
        target = store.targets.get(raw.get("id"))
        if target is None or target.get("targetGroupId") != group["id"]:
            raise Reply(NOT_FOUND_TARGET)
        target.update(
            {
                k: copy.deepcopy(v)
                for k, v in raw.items()
                if k not in ("id", "targetGroupId", "defaultValues", TRIGGERS)
            }
        )
    deactivated = body.get("deactivateTargetIds", [])
    for target_id in deactivated:
        target = store.targets.get(target_id)
        if target is None or target.get("targetGroupId") != group["id"]:
            raise Reply(NOT_FOUND_TARGET)
        target["active"] = False
    live = [t["id"] for t in store.targets_of(group["id"]) if t.get("active", True)]
    current = group.get("unifiedTargetExpression") or {}
    expression = {
        "aggregation": (body.get("unifiedTargetExpression") or {}).get(
            "aggregation", current.get("aggregation")
        ),
        "thresholdValue": (body.get("unifiedTargetExpression") or {}).get(
            "thresholdValue", current.get("thresholdValue")
        ),
        "ruleExpression": _rule_expression(live, group.get("combinationType")),
    }
    group["unifiedTargetExpression"] = expression
    touched = [copy.deepcopy(store.targets[raw["id"]]) for raw in body.get("targets", [])]
    return {"unifiedTargetExpression": expression, "targets": touched, "deactivateTargetIds": deactivated}


@handles("get-target-communication-template")
def get_communications(call: Call) -> Any:
    target = call.target()
    return [
        copy.deepcopy(c) for (tid, _), c in sorted(call.store.communications.items()) if tid == target["id"]
    ]


@handles("get-target-upload-file")
def upsert_communications(call: Call) -> Any:
    target, store = call.target(), call.store
    new = [raw for raw in call.body if (target["id"], raw["communicationType"]) not in store.communications]
    store.reserve(len(new))
    result = []
    for raw in call.body:
        key = (target["id"], raw["communicationType"])
        current = store.communications.get(key)
        if current is None:
            current = {
                "id": store.next_id(),
                "attribution": attribution(),
                "targetId": target["id"],
                "targetGroupId": target["targetGroupId"],
            }
            store.communications[key] = current
        else:
            current["attribution"] = {**current["attribution"], "lastUpdatedOn": timestamp()}
        current.update({k: copy.deepcopy(v) for k, v in raw.items()})
        current.setdefault("active", True)
        result.append(copy.deepcopy(current))
    return result


@handles("get-target-channels")
def get_channels(call: Call) -> Any:
    return copy.deepcopy(call.store.channels)
