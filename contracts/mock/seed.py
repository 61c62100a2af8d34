"""The mock's initial data: the real objects of the spec's own examples.

Documented ids (target groups 18044, 2911, 2913, …) answer from the first request. Nothing is
invented beyond a placeholder group for targets and periods whose group no example shows.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from contracts.mock.store import Store, attribution
from contracts.spec import Spec


def _examples(spec: Spec, operation_id: str) -> Iterator[Any]:
    op = spec.operation(operation_id)
    for status in op.statuses:
        if status.startswith("2"):
            for example in (
                op.response_media(int(status)).get("application/json", {}).get("examples", {}).values()
            ):
                yield spec.deref(example).get("value", {}).get("data")


def _items(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def load(spec: Spec, store: Store) -> None:
    """Fill ``store`` from the success examples of the spec."""
    for op_id in ("create-target-groups", "update-target-group", "get-target-groups-id"):
        for data in _examples(spec, op_id):
            for group in _items(data):
                group = copy.deepcopy(group)
                for period in group.pop("periods", []) or []:
                    store.periods[period["id"]] = {**period, "targetGroupId": group["id"]}
                for target in group.pop("targets", []) or []:
                    store.targets[target["id"]] = {**target, "targetGroupId": group["id"]}
                for streak in group.pop("streaks", []) or []:
                    store.streaks[streak["id"]] = {**streak, "targetGroupId": group["id"]}
                group.pop("activePeriod", None)
                store.groups[group["id"]] = group
    for op_id, collection in (
        ("get-target-periods", store.periods),
        ("create-target-period", store.periods),
        ("get-targets", store.targets),
        ("create-targets", store.targets),
        ("get-active-targets", store.targets),
    ):
        for data in _examples(spec, op_id):
            for item in _items(data):
                collection.setdefault(item["id"], copy.deepcopy(item))
    for data in _examples(spec, "get-target-upload-file"):
        for item in _items(data):
            store.communications[(item["targetId"], item["communicationType"])] = copy.deepcopy(item)
    for data in _examples(spec, "get-target-channels"):
        store.channels = [copy.deepcopy(c) for c in _items(data)]
    for owned in (*store.periods.values(), *store.targets.values(), *store.communications.values()):
        group_id = owned.get("targetGroupId")
        if isinstance(group_id, int) and group_id not in store.groups:
            store.groups[group_id] = {
                "id": group_id,
                "name": f"Target group {group_id}",
                "active": True,
                "attribution": attribution(),
            }
    for group_id, group in store.groups.items():
        store.names.setdefault(str(group.get("name", "")).casefold(), group_id)
    store.bump(max([0, *store.groups, *store.periods, *store.targets, *store.streaks]))
