"""The mock's behaviours: what an operation does to the store, keyed by the spec's ``x-behaviour``.

An operation without ``x-behaviour`` gets the one its method and path imply: ``GET …/{id}/<collection>``
lists the collection's records under that parent, ``DELETE …/<collection>/{id}`` deletes the record
and what is nested under it. Behaviours receive the validated parameters and body and the records the
path names (already looked up, ``x-not-found-code``), apply the named rules of :mod:`contracts.mock.rules`
and return the ``data`` to envelope. No behaviour names an operation, an error code or an enum value.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from contracts.mock.facts import PARAM, Collections, Facts, MockBug
from contracts.mock.replies import Reply
from contracts.mock.shapes import FREE, Shape
from contracts.mock.store import JSONObject, Store, attribution

TRIGGERS = "targetMilestoneTriggers"
"""The API creates a target's milestone triggers itself (SYSTEM_TRIGGER, targetAchieved; ``readOnly`` in the
spec); a new target has none yet."""
ID = "id"
"""The property every record is keyed by in the store."""
LIST, DELETE = "list", "delete"


@dataclass
class Call:
    store: Store
    facts: Facts
    collections: Collections
    params: dict[str, Any]
    body: Any
    shape: Shape = FREE
    """The shape of the operation's ``data`` (its response schema): the reply is projected onto it."""
    found: dict[str, JSONObject] = field(default_factory=dict)
    """The records the request's parameters name, by parameter, in path order."""
    invalid_input: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    """Top-level envelope keys beside data (``pagination``, ``warnings``)."""

    def owner(self) -> JSONObject:
        """The record the path's last id names (the group of ``…/{targetGroupId}/targets``)."""
        path = [name for name, lookup in self._path_lookups()]
        if not path:
            raise MockBug(f"{self.facts.op.operation_id} names no record in its path")
        return self.found[path[-1]]

    def owner_link(self) -> str:
        """The field the owner's children hold its id in (``targetGroupId`` for a group's targets)."""
        return self.link(self._path_lookups()[-1][1].collection)

    def records(self) -> list[JSONObject]:
        """Every record the request names, in the order of its parameters."""
        return list(self.found.values())

    def _path_lookups(self) -> list[tuple[str, Any]]:
        return [(lk.name, lk) for lk in self.facts.lookups if lk.location == "path" and lk.name in self.found]

    def roles(self, component: str, role: str) -> tuple[Any, ...]:
        """The values of enum ``component`` that play ``role`` (its ``x-value-roles``)."""
        values = self.facts.roles.get(component, {}).get(role)
        if values is None:
            raise MockBug(f"components.schemas.{component} has no x-value-roles {role!r}")
        return values

    def applies(self, rule: str) -> bool:
        """Whether the operation's ``x-rules`` lists ``rule``."""
        return rule in self.facts.rules

    def refuse(self, rule: str, detail: str | None = None) -> Reply:
        """The refusal of ``rule``, with the code the operation's ``x-rules`` gives it."""
        return Reply(self.facts.code(rule), detail)

    def link(self, collection: str) -> str:
        """The field a child record holds its ``collection`` parent's id in (the parent's id parameter)."""
        return self.collections.id_param[collection]

    def defaults(self, *where: str) -> dict[str, Any]:
        return self.facts.defaults(*where)

    def links(self) -> dict[str, Any]:
        """The parents' ids a record created under the path holds (``targetGroupId``, ``targetId``)."""
        return {self.link(lk.collection): self.found[name]["id"] for name, lk in self._path_lookups()}


def fresh(call: Call, shape: Shape, raw: JSONObject, links: dict[str, Any]) -> JSONObject:
    """A new record of ``shape`` (the response schema's object): first what the server sets (its
    ``readOnly`` properties: a new id, the parents' ids in ``links``, the creation stamp), then the
    request's fields; a request cannot set a ``readOnly`` property. Derived ones (a target's default-value
    map, a group's cycle bounds) are left to the behaviour or absent."""
    record: JSONObject = {}
    for name in shape.server_set():
        if name in links:
            record[name] = links[name]
        elif name == ID:
            record[name] = call.store.next_id()
        elif shape.prop(name).is_stamp():
            record[name] = shape.prop(name).project(attribution())
    record.update({k: copy.deepcopy(v) for k, v in shape.writable(raw).items()})
    return record


Behaviour = Callable[[Call], Any]
BEHAVIOURS: dict[str, Behaviour] = {}


def behaviour(name: str) -> Callable[[Behaviour], Behaviour]:
    """Register the decorated function as the behaviour ``x-behaviour: name`` selects."""

    def register(function: Behaviour) -> Behaviour:
        BEHAVIOURS[name] = function
        return function

    return register


def implied(facts: Facts, collections: Collections) -> str | None:
    """The behaviour an operation's method and path imply when ``x-behaviour`` names none."""
    if facts.behaviour is not None:
        return facts.behaviour
    parts = [s for s in facts.op.path.split("/") if s]
    method = facts.op.method.upper()
    if (
        method == "GET"
        and parts
        and parts[-1] in collections.parent
        and len(parts) > 1
        and PARAM.match(parts[-2])
    ):
        return LIST
    if method == "DELETE" and parts and PARAM.match(parts[-1]):
        return DELETE
    return None


@behaviour(LIST)
def list_children(call: Call) -> Any:
    """The records of the path's last collection that belong to the record its id names."""
    parts = [s for s in call.facts.op.path.split("/") if s]
    owner = call.owner()
    parent = call.collections.parent[parts[-1]]
    link = call.link(parent)
    return [r for r in call.store.collection(parts[-1]).values() if r.get(link) == owner["id"]]


@behaviour(DELETE)
def delete(call: Call) -> Any:
    """The record the path names is removed, with every record that holds its id."""
    lookup = call._path_lookups()[-1][1]
    call.store.delete(lookup.collection, call.owner()["id"], call.link(lookup.collection))
    return True


def _date(value: Any, invalid: int) -> Any:
    """A request date-time as the API answers it: the date part, YYYY-MM-DD (a real calendar date)."""
    if not isinstance(value, str):
        return value
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        raise Reply(invalid, f"{value!r} is not a calendar date") from None


def _number(value: Any) -> Any:
    try:
        return float(value) if isinstance(value, str) else value
    except ValueError:
        return value


def with_defaults(raw: JSONObject, defaults: dict[str, Any]) -> JSONObject:
    """``raw`` with the schema's defaults for the properties it omits (after its own, in its order)."""
    return {**raw, **{k: v for k, v in defaults.items() if k not in raw}}


def new_period(
    call: Call, shape: Shape, links: dict[str, Any], raw: JSONObject, defaults: dict[str, Any]
) -> JSONObject:
    period = fresh(call, shape, with_defaults(raw, defaults), links)
    for key in ("startDate", "endDate"):
        if key in period:
            period[key] = _date(period[key], call.invalid_input)
    if period.get("refCode") is not None:
        period["refCode"] = str(period["refCode"])
    call.store.periods[period[ID]] = period
    return period


def new_target(
    call: Call, shape: Shape, links: dict[str, Any], group_id: int, raw: JSONObject, defaults: dict[str, Any]
) -> JSONObject:
    from contracts.mock import rules

    store = call.store
    rules.extended_field_metadata(call, raw)
    rules.currency_identifier(call, raw)
    periods = store.periods_of(group_id)
    own = {k: v for k, v in with_defaults(raw, defaults).items() if k != "defaultValues"}
    target = fresh(call, shape, own, links)
    if isinstance(target.get("expression"), bool):
        target["expression"] = str(target["expression"]).lower()
    target[TRIGGERS] = []
    target["defaultValues"] = default_values(store, raw.get("defaultValues", []), periods)
    target["targetPeriodDefaultValuesMap"] = {
        str(d["periodId"]): d for d in target["defaultValues"] if "periodId" in d
    }
    store.targets[target[ID]] = target
    return target


def default_values(store: Store, raw: list[JSONObject], periods: list[JSONObject]) -> list[JSONObject]:
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


def page(call: Call, items: list[Any], limit_param: str = "limit", offset_param: str = "offset") -> list[Any]:
    """One page of ``items``; the parameters' defaults come from the spec (``default``)."""
    limit, offset = int(call.params[limit_param]), int(call.params[offset_param])
    call.extra["pagination"] = {"limit": limit, "offset": offset, "total": len(items)}
    return items[offset : offset + limit]


def _register() -> None:
    """Import the modules whose functions register themselves with :func:`behaviour`."""
    from contracts.mock.handlers import connected, groups, targets, users  # noqa: F401


_register()
