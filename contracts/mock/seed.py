"""The mock's initial data: the real objects of the spec's own examples.

Documented ids (target groups 18044, 2911, 2913, …) answer from the first request. Nothing is
invented beyond a placeholder group for targets and periods whose group no example shows.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from contracts.mock.facts import PARAM, Collections
from contracts.mock.shapes import Shape, Shapes
from contracts.mock.store import COLLECTIONS, Store, attribution
from contracts.spec import Operation, Spec

ID = "id"
STREAKS = "streaks"
"""A group's streaks: nested in its answers, a collection of the store no path names."""


def _record_shapes(spec: Spec, shapes: Shapes, collections: Collections) -> dict[str, Shape]:
    """Collection → the shape its records are answered in: the items of the collection's list, or the
    ``data`` of a read of one record (``GET …/targets``, ``GET …/{targetGroupId}``)."""
    found: dict[str, Shape] = {}
    for op in spec.operations:
        if op.method.upper() != "GET":
            continue
        last = [s for s in op.path.split("/") if s][-1]
        param = PARAM.match(last)
        collection = collections.by_param.get(param.group(1)) if param else last
        reply = shapes.reply(op)
        shape = reply if param and reply.props is not None else reply.items
        if collection in COLLECTIONS and shape is not None:
            found.setdefault(collection, shape)
    return found


def _examples(
    spec: Spec, shapes: Shapes, shape: Shape, collection: str | None = None
) -> Iterator[dict[str, Any]]:
    """The records of ``shape`` the spec's success examples answer (one as ``data``, or a list of them)."""

    def rank(op: Operation) -> tuple[int, int]:
        """With ``collection``: its own list first, then its creates, then the rest (the first wins)."""
        own = [s for s in op.path.split("/") if s][-1] == collection
        return (0 if own else 1, {"GET": 0, "POST": 1}.get(op.method.upper(), 2))

    for op in sorted(spec.operations, key=rank) if collection else spec.operations:
        reply = shapes.reply(op)
        one = reply.props is not None and shape.declared_by(reply)
        many = reply.items is not None and shape.declared_by(reply.items)
        if one or many:
            for data in _op_examples(spec, op):
                if (isinstance(data, dict) and one) or (isinstance(data, list) and many):
                    yield from _items(data)


def _op_examples(spec: Spec, op: Operation) -> Iterator[Any]:
    for status in op.statuses:
        if status.startswith("2"):
            for example in (
                op.response_media(int(status)).get("application/json", {}).get("examples", {}).values()
            ):
                yield spec.deref(example).get("value", {}).get("data")


def _behaviour_examples(spec: Spec, name: str) -> Iterator[Any]:
    for op in spec.operations:
        if op.raw.get("x-behaviour") == name:
            yield from _op_examples(spec, op)


def _items(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


HIERARCHY = "org-hierarchy"
"""The rule whose ``org-field`` (``x-rules``) names the field an example gives an org id in."""


def _named_orgs(spec: Spec) -> set[int]:
    """Every org id the spec's examples give under an ``org-field`` of the hierarchy rule."""
    fields = {
        str(rule.args["org-field"])
        for op in spec.operations
        for rule in spec.error_facts.of(op).rules
        if rule.name == HIERARCHY and "org-field" in rule.args
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
    """Fill ``store`` from the success examples of the spec (and its org hierarchy from every example):
    each example record goes to the collection whose answers have its schema (a group's periods,
    targets and streaks to theirs)."""
    store.orgs |= _named_orgs(spec)
    shapes, collections = Shapes(spec), Collections.of(spec)
    records = _record_shapes(spec, shapes, collections)
    nested = {
        name: collection
        for parent, shape in records.items()
        for name, sub in (shape.props or {}).items()
        for collection, inner in records.items()
        if sub is not None
        and sub.items is not None
        and inner.declared_by(sub.items)
        and collections.parent.get(collection) == parent
    }
    for parent, shape in records.items():
        if collections.parent.get(parent) is not None:
            continue
        link = collections.id_param[parent]
        for record in _examples(spec, shapes, shape):
            record = copy.deepcopy(record)
            for name, sub in shape.server_set():
                if name != ID and sub.props is not None and not sub.is_stamp():
                    record.pop(name, None)  # derived views (activePeriod): the store answers them
            for name, collection in nested.items():
                for child in record.pop(name, []) or []:
                    store.collection(collection)[child[ID]] = {**child, link: record[ID]}
            for child in record.pop(STREAKS, []) or []:
                store.streaks[child[ID]] = {**child, link: record[ID]}
            store.collection(parent)[record[ID]] = record
    for collection, shape in records.items():
        if collections.parent.get(collection) is not None:
            for record in _examples(spec, shapes, shape, collection):
                store.collection(collection).setdefault(record[ID], copy.deepcopy(record))
    for data in _behaviour_examples(spec, "upsert-communications"):
        for item in _items(data):
            store.communications[(item["targetId"], item["communicationType"])] = copy.deepcopy(item)
    for data in _behaviour_examples(spec, "list-channels"):
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
