"""Periods, targets, unified targets, communications and channels of a target group."""

from __future__ import annotations

import copy
from typing import Any

from contracts.mock import rules
from contracts.mock.handlers import (
    ID,
    Call,
    _date,
    behaviour,
    default_values,
    fresh,
    settle,
)
from contracts.mock.store import JSONObject, touch


@behaviour("update-periods")
def update_periods(call: Call) -> Any:
    group = call.owner()
    link = call.owner_link()
    changes = []  # every period and value judged before any changes: a refused update changes nothing
    for raw in call.body:
        period = rules.known(call, "known-periods", call.store.periods.get(raw.get("id")), group, link)
        dates, others = rules.editable_period_fields(call, period)
        change = {key: _date(raw[key], call.invalid_input) for key in dates if key in raw}
        change.update({key: str(raw[key]) if key == "refCode" else raw[key] for key in others if key in raw})
        changes.append((period, change))
    updated = []
    for period, change in changes:
        period.update(change)
        updated.append(copy.deepcopy(period))
    return updated


@settle("targets")
def target_updated(call: Call, target: JSONObject) -> None:
    """modify-target: new default values are matched to the group's periods; a boolean expression is
    answered as the API answers it, a string."""
    if isinstance(call.body.get("defaultValues"), list):
        periods = call.store.periods_of(target["targetGroupId"])
        target["defaultValues"] = default_values(call.store, call.body["defaultValues"], periods)
    if isinstance(target.get("expression"), bool):
        target["expression"] = str(target["expression"]).lower()


@behaviour("update-unified")
def update_unified(call: Call) -> Any:
    group, body, store = call.owner(), call.body, call.store
    link, shape = call.owner_link(), call.shape.prop("targets").item()
    deactivated = body.get("deactivateTargetIds", [])
    # every id is judged before anything changes: a refused update leaves every target as it was
    updated = [
        (rules.known(call, "known-targets", store.targets.get(raw.get(ID)), group, link), raw)
        for raw in body.get("targets", [])
    ]
    gone = [rules.known(call, "known-targets", store.targets.get(i), group, link) for i in deactivated]
    for target, raw in updated:
        writable = shape.writable(raw)
        target.update({k: copy.deepcopy(v) for k, v in writable.items() if k != "defaultValues"})
    for target in gone:
        target["active"] = False
    live = [t["id"] for t in store.targets_of(group["id"]) if t.get("active", True)]
    current = group.get("unifiedTargetExpression") or {}
    requested = body.get("unifiedTargetExpression") or {}
    expression = {
        "aggregation": requested.get("aggregation", current.get("aggregation")),
        "thresholdValue": requested.get("thresholdValue", current.get("thresholdValue")),
        "ruleExpression": rules.unified_expression(call, live, group.get("combinationType")),
    }
    group["unifiedTargetExpression"] = expression
    touched = [copy.deepcopy(store.targets[raw["id"]]) for raw in body.get("targets", [])]
    return {"unifiedTargetExpression": expression, "targets": touched, "deactivateTargetIds": deactivated}


@behaviour("list-communications")
def list_communications(call: Call) -> Any:
    target = call.owner()
    return [
        copy.deepcopy(c) for (tid, _), c in sorted(call.store.communications.items()) if tid == target["id"]
    ]


@behaviour("upsert-communications")
def upsert_communications(call: Call) -> Any:
    target, store = call.owner(), call.store
    new = [raw for raw in call.body if (target["id"], raw["communicationType"]) not in store.communications]
    store.reserve(len(new))
    result = []
    shape, links = call.shape.item(), call.links()
    for raw in call.body:
        key = (target["id"], raw["communicationType"])
        current = store.communications.get(key)
        if current is None:
            current = store.communications[key] = fresh(call, shape, {}, links)
        else:
            touch(current)
        current.update({k: copy.deepcopy(v) for k, v in shape.writable(raw).items()})
        for name, value in call.defaults().items():
            current.setdefault(name, value)
        result.append(copy.deepcopy(current))
    return result


@behaviour("list-channels")
def list_channels(call: Call) -> Any:
    return copy.deepcopy(call.store.channels)
