"""Target groups: create (every variant), read, list, update; milestones; leaderboard."""

from __future__ import annotations

from typing import Any

from contracts.mock import rules
from contracts.mock.handlers import (
    ID,
    Call,
    _date,
    behaviour,
    fresh,
    maker,
    new_period,
    new_target,
    page,
    view,
    with_defaults,
)
from contracts.mock.shapes import Shape
from contracts.mock.store import JSONObject, touch

INCLUDE_PERIODS = "includePeriods"

NESTED = ("periods", "targets", "streaks")
"""A group's records of other collections: sent inside the create request, stored apart, answered by the view."""
DERIVED = ("unifiedTargetExpression",)
"""Set by the unified-expression rule from the group's targets, not echoed from the request."""


@maker("targetGroups")
def new_group(call: Call, shape: Shape, links: dict[str, Any], body: JSONObject) -> JSONObject:
    """A group (every create variant) with its periods, targets and streaks stored apart."""
    store = call.store
    rules.leaderboard_evaluation(call, with_defaults(body, call.defaults()))
    store.reserve(1 + sum(len(body.get(name, [])) for name in NESTED))
    own = {k: v for k, v in with_defaults(body, call.defaults()).items() if k not in NESTED + DERIVED}
    group = fresh(call, shape, own, links)
    group_id = group[ID]
    for key in ("fromDate", "toDate"):
        if key in group:
            group[key] = _date(group[key], call.invalid_input)
    store.groups[group_id] = group
    store.set_name(group_id, group.get("name", ""))
    links = {**links, call.link(str(call.facts.writes)): group_id}
    periods, targets, streaks = (shape.prop(name).item() for name in NESTED)
    for raw in body.get("periods", []):
        new_period(call, periods, links, raw, call.defaults("periods"))
    made = [
        new_target(call, targets, links, raw, call.defaults("targets")) for raw in body.get("targets", [])
    ]
    for raw in body.get("streaks", []):
        streak = fresh(call, streaks, raw, links)
        store.streaks[streak[ID]] = streak
    if call.applies("unified-expression") and rules.is_unified(call, group, body):
        expression = body.get("unifiedTargetExpression") or {}
        group["unifiedTargetExpression"] = {
            **expression,
            "ruleExpression": rules.unified_expression(
                call, [t[ID] for t in made], body.get("combinationType")
            ),
        }
    return group


@view("targetGroups")
def group_view(call: Call, group: JSONObject) -> Any:
    """A group with its periods (where the operation has no ``includePeriods`` or it is true) and targets
    (the active ones only with ``includeOnlyActive``); a user-created one where the rule lets it be seen."""
    rules.user_created_hidden(call, group)
    return call.store.group_view(
        group[ID],
        periods=bool(call.params.get(INCLUDE_PERIODS)) if call.declares(INCLUDE_PERIODS) else True,
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
            touch(target)
    touch(group)
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
    ranking = call.shape.prop("rankings").item()
    rankings = [
        {**ranking.project(e), "rank": offset + i + 1, "userId": e["customerId"]}
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
