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
from contracts.mock.store import JSONObject, Store, attribution

NOT_FOUND_GROUP, NOT_FOUND_TARGET, NOT_FOUND_PERIOD = 310017, 310018, 310019
DUPLICATE_NAME, ALREADY_ENROLLED, NO_USER_TARGET = 310069, 310119, 310149
METADATA_REQUIRED, NOT_IN_GROUP, LEADERBOARD_OFF = 310094, 310079, 310134
INVALID_INPUT = 300004
TRIGGERS = "targetMilestoneTriggers"
"""The API creates a target's milestone triggers itself (SYSTEM_TRIGGER, targetAchieved); requests may send
free-form ones, which the mock does not store (it would echo fields the response schema does not declare)."""


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
            if k not in ("id", "defaultValues", "targetGroupId", "attribution", TRIGGERS)
        },
        "targetGroupId": group_id,
        "active": raw.get("active", True),
    }
    if isinstance(target.get("expression"), bool):
        target["expression"] = str(target["expression"]).lower()
    target[TRIGGERS] = []
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


def _page(call: Call, items: list[Any]) -> list[Any]:
    limit, offset = int(call.params.get("limit", 10)), int(call.params.get("offset", 0))
    call.extra["pagination"] = {"limit": limit, "offset": offset, "total": len(items)}
    return items[offset : offset + limit]


def _register() -> None:
    """Import the modules whose functions register themselves with :func:`handles`."""
    from contracts.mock.handlers import connected, groups, targets, users  # noqa: F401


_register()
