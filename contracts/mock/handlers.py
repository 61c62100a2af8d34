"""What each operation does to the store. Shapes come from the spec; behaviour from the docs.

Handlers are keyed by operationId. They receive validated parameters and body, raise
:class:`Reply` with a catalogued code for business errors, and return the ``data`` to envelope.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from contracts.mock.replies import Reply
from contracts.mock.store import JSONObject, Store, attribution, timestamp

NOT_FOUND_GROUP, NOT_FOUND_TARGET, NOT_FOUND_PERIOD = 310017, 310018, 310019
DUPLICATE_NAME, ALREADY_ENROLLED, NO_USER_TARGET = 310069, 310119, 310149
METADATA_REQUIRED, NOT_IN_GROUP, LEADERBOARD_OFF = 310094, 310079, 310134
INVALID_INPUT = 300004


@dataclass
class Call:
    store: Store
    params: dict[str, Any]
    body: Any
    extra: dict[str, Any] = field(default_factory=dict)
    """Top-level envelope keys beside data (``pagination``)."""

    def group(self) -> JSONObject:
        group = self.store.groups.get(self.params["targetGroupId"])
        if group is None:
            raise Reply(NOT_FOUND_GROUP)
        return group

    def target(self) -> JSONObject:
        self.group()
        target = self.store.targets.get(self.params["targetId"])
        if target is None or target.get("targetGroupId") != self.params["targetGroupId"]:
            raise Reply(NOT_FOUND_TARGET)
        return target


Handler = Callable[[Call], Any]
HANDLERS: dict[str, Handler] = {}


def handles(operation_id: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        HANDLERS[operation_id] = function
        return function

    return register


def _date(value: Any) -> Any:
    """A request date-time as the API answers it: the date part, YYYY-MM-DD (a real calendar date)."""
    if not isinstance(value, str):
        return value
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        raise Reply(INVALID_INPUT, f"{value!r} is not a calendar date") from None


def _number(value: Any) -> Any:
    try:
        return float(value) if isinstance(value, str) else value
    except ValueError:
        return value


def _new_period(store: Store, group_id: int, raw: JSONObject) -> JSONObject:
    period = {
        "id": store.next_id(),
        "attribution": attribution(),
        "startDate": _date(raw.get("startDate")),
        "endDate": _date(raw.get("endDate")),
        "refCode": None if raw.get("refCode") is None else str(raw["refCode"]),
        "periodStatus": raw.get("periodStatus", "NOT_STARTED"),
        "targetGroupId": group_id,
        "description": raw.get("description"),
        "active": raw.get("active", True),
    }
    store.periods[period["id"]] = period
    return period


def _new_target(store: Store, group_id: int, raw: JSONObject) -> JSONObject:
    if (
        raw.get("targetType") == "EXTENDED_FIELD" or raw.get("targetEntity") == "ALTERNATE_CURRENCIES"
    ) and not raw.get("extendedFieldInfo"):
        raise Reply(METADATA_REQUIRED)
    periods = store.periods_of(group_id)
    target: JSONObject = {
        "id": store.next_id(),
        "attribution": attribution(),
        **{
            k: copy.deepcopy(v)
            for k, v in raw.items()
            if k not in ("id", "defaultValues", "targetGroupId", "attribution")
        },
        "targetGroupId": group_id,
        "active": raw.get("active", True),
    }
    if isinstance(target.get("expression"), bool):
        target["expression"] = str(target["expression"]).lower()
    target["defaultValues"] = _default_values(store, raw.get("defaultValues", []), periods)
    target["targetPeriodDefaultValuesMap"] = {
        str(d["periodId"]): d for d in target["defaultValues"] if "periodId" in d
    }
    store.targets[target["id"]] = target
    return target


def _default_values(store: Store, raw: list[JSONObject], periods: list[JSONObject]) -> list[JSONObject]:
    values = []
    for index, item in enumerate(raw):
        value: JSONObject = {
            "id": item.get("id") or store.next_id(),
            "defaultValue": _number(item.get("defaultValue")),
        }
        period_id = item.get("periodId") or (periods[index]["id"] if index < len(periods) else None)
        if period_id is not None:
            value["periodId"] = period_id
        values.append(value)
    return values


def _name_taken(store: Store, name: Any, but: int | None = None) -> bool:
    owner = store.name_owner(name)
    return owner is not None and owner != but


def _rule_expression(target_ids: list[int], combination: Any) -> str:
    return "(" + (" & " if combination == "ALL" else " | ").join(map(str, target_ids)) + ")"


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
        if key in ("id", "targetGroupId", "attribution"):
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
            {k: copy.deepcopy(v) for k, v in raw.items() if k not in ("id", "targetGroupId", "defaultValues")}
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


def _page(call: Call, items: list[Any]) -> list[Any]:
    limit, offset = int(call.params.get("limit", 10)), int(call.params.get("offset", 0))
    call.extra["pagination"] = {"limit": limit, "offset": offset, "total": len(items)}
    return items[offset : offset + limit]


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
