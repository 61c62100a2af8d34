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
from contracts.mock.store import JSONObject, Store, attribution, touch

TRIGGERS = "targetMilestoneTriggers"
"""The API creates a target's milestone triggers itself (SYSTEM_TRIGGER, targetAchieved; ``readOnly`` in the
spec); a new target has none yet."""
ID = "id"
"""The property every record is keyed by in the store."""
CREATE, READ, UPDATE, LIST, DELETE, DEACTIVATE = "create", "read", "update", "list", "delete", "deactivate"
"""The behaviours a method and path imply (:func:`implied`; a DELETE with ``x-soft-delete`` deactivates);
``x-behaviour`` names the others."""


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

    def declares(self, param: str) -> bool:
        """Whether the operation has a parameter ``param``."""
        return param in self.facts.param_names

    def links(self) -> dict[str, Any]:
        """The parents' ids a record created under the path holds (``targetGroupId``, ``targetId``)."""
        return {self.link(lk.collection): self.found[name]["id"] for name, lk in self._path_lookups()}


def fresh(call: Call, shape: Shape, raw: JSONObject, links: dict[str, Any]) -> JSONObject:
    """A new record of ``shape`` (the response schema's object): first what the server sets (its
    ``readOnly`` properties: a new id, the parents' ids in ``links``, the creation stamp), then the
    request's fields; a request cannot set a ``readOnly`` property. Derived ones (a target's default-value
    map, a group's cycle bounds) are left to the behaviour or absent."""
    record: JSONObject = {}
    for name, sub in shape.server_set():
        if name in links:
            record[name] = links[name]
        elif name == ID:
            record[name] = call.store.next_id()
        elif sub.is_stamp():
            record[name] = sub.project(attribution())
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
    """The behaviour an operation's method and path imply when ``x-behaviour`` names none: on a
    collection's path (``…/targets``) ``GET`` lists and ``POST`` creates; on a record's
    (``…/targets/{targetId}``) ``GET`` reads, ``PUT``/``PATCH`` update and ``DELETE`` deletes, or
    deactivates where the spec says it is a soft delete (``x-soft-delete``)."""
    if facts.behaviour is not None:
        return facts.behaviour
    parts = [s for s in facts.op.path.split("/") if s]
    method = facts.op.method.upper()
    last = parts[-1] if parts else ""
    record = PARAM.match(last)
    if record is not None:
        if record.group(1) not in collections.by_param:
            return None
        if method == "DELETE" and facts.soft_delete is not None:
            return DEACTIVATE
        return {"GET": READ, "PUT": UPDATE, "PATCH": UPDATE, "DELETE": DELETE}.get(method)
    if last not in collections.id_param and last not in collections.parent:
        return None
    parent = collections.parent.get(last)
    owner = PARAM.match(parts[-2]) if len(parts) > 1 else None
    nested = parent is not None and owner is not None and collections.id_param.get(parent) == owner.group(1)
    if (parent is not None and not nested) or (parent is None and owner is not None):
        return None  # the collection under another record than its parent: a projection, not implied
    return {"GET": LIST, "POST": CREATE}.get(method)


Maker = Callable[[Call, Shape, dict[str, Any], JSONObject], JSONObject]
MAKERS: dict[str, Maker] = {}
"""Collection → how a record of it is made from a request item (its own fields, nested records)."""
View = Callable[[Call, JSONObject], Any]
VIEWS: dict[str, View] = {}
"""Collection → how a record of it is answered (a group with its periods and targets); default: itself."""
Settle = Callable[[Call, JSONObject], None]
SETTLES: dict[str, Settle] = {}
"""Collection → what an update of a record derives afterwards (a target's default values)."""


def maker(collection: str) -> Callable[[Maker], Maker]:
    def register(function: Maker) -> Maker:
        MAKERS[collection] = function
        return function

    return register


def view(collection: str) -> Callable[[View], View]:
    def register(function: View) -> View:
        VIEWS[collection] = function
        return function

    return register


def settle(collection: str) -> Callable[[Settle], Settle]:
    def register(function: Settle) -> Settle:
        SETTLES[collection] = function
        return function

    return register


def _answer(call: Call, collection: str, record: JSONObject) -> Any:
    found = VIEWS.get(collection)
    return found(call, record) if found is not None else copy.deepcopy(record)


def _collection(call: Call) -> str:
    """The collection the path's last segment names (``…/targets``, ``…/{targetId}``)."""
    last = [s for s in call.facts.op.path.split("/") if s][-1]
    param = PARAM.match(last)
    return call.collections.by_param[param.group(1)] if param else last


@behaviour(CREATE)
def create(call: Call) -> Any:
    """New records of the path's collection (one, or one per item of a list body), under the path's record."""
    collection = _collection(call)
    items = call.body if isinstance(call.body, list) else [call.body]
    many = call.shape.props is None and call.shape.items is not None  # the reply is a list
    shape = call.shape.item() if many else call.shape
    call.store.reserve(len(items))
    make = MAKERS.get(collection)
    links = call.links()
    made = []
    for raw in items:
        record = (
            make(call, shape, links, raw)
            if make is not None
            else fresh(call, shape, with_defaults(raw, call.defaults()), links)
        )
        call.store.collection(collection)[record[ID]] = record
        made.append(record)
    answers = [_answer(call, collection, r) for r in made]
    return answers if many else answers[0]


@behaviour(READ)
def read(call: Call) -> Any:
    """The record the path names, as its collection answers it."""
    return _answer(call, _collection(call), call.owner())


@behaviour(UPDATE)
def update(call: Call) -> Any:
    """The record the path names with the request's writable fields, then what they derive; stamped."""
    collection, record = _collection(call), call.owner()
    record.update({k: copy.deepcopy(v) for k, v in call.shape.writable(call.body).items()})
    derive = SETTLES.get(collection)
    if derive is not None:
        derive(call, record)
    touch(record)
    return _answer(call, collection, record)


@behaviour(LIST)
def list_records(call: Call) -> Any:
    """The records of the path's collection (those of the record the path names, where nested)."""
    collection = _collection(call)
    records = call.store.collection(collection)
    parent = call.collections.parent.get(collection)
    if parent is None:
        return [_answer(call, collection, records[key]) for key in sorted(records)]
    owner, link = call.owner(), call.link(parent)
    return [_answer(call, collection, r) for _, r in call.store.held_by(records, link, owner[ID])]


@behaviour(DEACTIVATE)
def deactivate(call: Call) -> Any:
    """A soft delete (``x-soft-delete``): the record stays, readable, with the property the spec names false."""
    call.owner()[str(call.facts.soft_delete)] = False
    return True


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
    call: Call, shape: Shape, links: dict[str, Any], raw: JSONObject, defaults: dict[str, Any] | None = None
) -> JSONObject:
    """A period: its dates answered as calendar dates, its refCode as a string."""
    own = with_defaults(raw, call.defaults() if defaults is None else defaults)
    period = fresh(call, shape, own, links)
    for key in ("startDate", "endDate"):
        if key in period:
            period[key] = _date(period[key], call.invalid_input)
    if period.get("refCode") is not None:
        period["refCode"] = str(period["refCode"])
    call.store.periods[period[ID]] = period
    return period


def new_target(
    call: Call, shape: Shape, links: dict[str, Any], raw: JSONObject, defaults: dict[str, Any] | None = None
) -> JSONObject:
    """A target: no triggers yet, its default values matched to its group's periods (in order)."""
    from contracts.mock import rules

    store = call.store
    rules.extended_field_metadata(call, raw)
    rules.currency_identifier(call, raw)
    periods = store.periods_of(links[call.link(call.collections.parent["targets"])])
    own = dict(with_defaults(raw, call.defaults() if defaults is None else defaults))
    own.pop("defaultValues", None)
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


maker("targetPeriods")(new_period)
maker("targets")(new_target)


def _register() -> None:
    """Import the modules whose functions register themselves with :func:`behaviour`."""
    from contracts.mock.handlers import connected, groups, targets, users  # noqa: F401


_register()
