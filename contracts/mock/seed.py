"""The mock's initial data: the real objects of the spec's own examples.

Documented ids (target groups 18044, 2911, 2913, …) answer from the first request. Nothing is
invented beyond a placeholder group for targets and periods whose group no example shows.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from contracts.mock.store import Store, attribution
from contracts.spec import Operation, Spec

GROUPS = ("create-group", "update-group", "read-group")
"""Behaviours whose examples answer whole target groups (their periods, targets and streaks inside)."""
PERIODS, TARGETS = ("targetPeriods", "create-periods"), ("targets", "add-targets", "user-targets")
"""Behaviours (or the collection a generic ``list`` lists) whose examples answer periods, targets."""


def _kind(op: Operation) -> str | None:
    behaviour = op.raw.get("x-behaviour")
    return behaviour if isinstance(behaviour, str) else op.path.rstrip("/").rsplit("/", 1)[-1]


def _examples(spec: Spec, kinds: tuple[str, ...]) -> Iterator[Any]:
    for kind in kinds:
        for op in spec.operations:
            if _kind(op) == kind:
                yield from _op_examples(spec, op)


def _op_examples(spec: Spec, op: Operation) -> Iterator[Any]:
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


HIERARCHY = "org-hierarchy"
"""The rule whose ``org-field`` (``x-rules``) names the field an example gives an org id in."""


def _named_orgs(spec: Spec) -> set[int]:
    """Every org id the spec's examples give under an ``org-field`` of the hierarchy rule."""
    fields = {
        str(rule["org-field"])
        for op in spec.operations
        for rule in op.raw.get("x-rules", [])
        if isinstance(rule, dict) and rule.get("rule") == HIERARCHY and "org-field" in rule
    }
    found: set[int] = set()
    stack: list[Any] = [spec.raw] if fields else []
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found |= {v for k, v in node.items() if k in fields and type(v) is int}
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def load(spec: Spec, store: Store) -> None:
    """Fill ``store`` from the success examples of the spec (and its org hierarchy from every example)."""
    store.orgs |= _named_orgs(spec)
    for data in _examples(spec, GROUPS):
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
    for kinds, collection in ((PERIODS, store.periods), (TARGETS, store.targets)):
        for data in _examples(spec, kinds):
            for item in _items(data):
                collection.setdefault(item["id"], copy.deepcopy(item))
    for data in _examples(spec, ("upsert-communications",)):
        for item in _items(data):
            store.communications[(item["targetId"], item["communicationType"])] = copy.deepcopy(item)
    for data in _examples(spec, ("list-channels",)):
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
