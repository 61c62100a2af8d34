"""The mock's in-memory state: target groups, periods, targets, communications, enrolments.

Handlers run on one event loop and never await while mutating, so a plain dict per collection is
safe under any number of concurrent clients. The total number of stored entities is capped.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

JSONObject = dict[str, Any]


def active_period(periods: list[JSONObject], running: tuple[Any, ...]) -> JSONObject | None:
    """get-target-groups-id: ``activePeriod`` is the first running period, else the first period."""
    live = [p for p in periods if p.get("periodStatus") in running]
    return (live or periods)[0] if live or periods else None


def timestamp() -> str:
    """Now, in the API's own timestamp format (``2024-04-01T16:04:29.145+0000``)."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}+0000"


def attribution() -> JSONObject:
    stamp = timestamp()
    user = {
        "id": 75047814,
        "code": "contracts_mock",
        "description": "",
        "name": "contracts mock",
        "type": "ADMIN_USER",
    }
    return {"createdOn": stamp, "lastUpdatedOn": stamp, "createdBy": dict(user), "lastUpdatedBy": dict(user)}


def touch(record: JSONObject) -> None:
    """Stamp ``record`` as updated now (its attribution's ``lastUpdatedOn``)."""
    record["attribution"] = {**record.get("attribution", attribution()), "lastUpdatedOn": timestamp()}


COLLECTIONS = {"targetGroups": "groups", "targets": "targets", "targetPeriods": "periods"}
"""The store's dict of each collection the spec's path templates name (``…/targets/{targetId}``)."""


FIRST_ID = 100_000
"""The first id the mock gives a record it makes (seeded records keep their examples' ids)."""


class StoreFull(Exception):
    """The entity cap is reached."""


GROUP_LINK = "targetGroupId"
"""The field a group's periods, targets and streaks hold its id in."""


class Owned(dict[int, JSONObject]):
    """Records that belong to a target group (periods, targets, streaks), also indexed by their group:
    a group's view reads its own records, not the whole store (a store filled to its cap made every
    GET of a group ~10x slower). The link is ``readOnly`` in the spec, so a record stays in the group
    it was stored under; every way of adding or removing a record keeps the index."""

    def __init__(self, link: str = GROUP_LINK) -> None:
        super().__init__()
        self.link = link
        self._by_owner: dict[Any, dict[int, JSONObject]] = {}

    def of(self, owner: Any) -> list[JSONObject]:
        """The records linked to ``owner``, in the order they were stored."""
        return [r for _, r in self.items_of(owner)]

    def items_of(self, owner: Any) -> list[tuple[int, JSONObject]]:
        link = self.link
        return [(k, r) for k, r in self._by_owner.get(owner, {}).items() if r.get(link) == owner]

    def _index(self, key: int, record: JSONObject) -> None:
        self._by_owner.setdefault(record.get(self.link), {})[key] = record

    def _unindex(self, key: int, record: JSONObject) -> None:
        owner = record.get(self.link)
        siblings = self._by_owner.get(owner)
        if siblings is not None:
            siblings.pop(key, None)
            if not siblings:
                del self._by_owner[owner]

    def __setitem__(self, key: int, record: JSONObject) -> None:
        old = dict.get(self, key)
        if old is not None and old.get(self.link) != record.get(self.link):
            del self[key]  # stored again last, so the owner's records stay in the mapping's order
        dict.__setitem__(self, key, record)
        self._index(key, record)

    def __delitem__(self, key: int) -> None:
        record = dict.__getitem__(self, key)
        dict.__delitem__(self, key)
        self._unindex(key, record)

    def pop(self, key: int, *default: Any) -> Any:
        if key not in self:
            if default:
                return default[0]
            raise KeyError(key)
        record = dict.__getitem__(self, key)
        del self[key]
        return record

    def popitem(self) -> tuple[int, JSONObject]:
        key, record = dict.popitem(self)
        self._unindex(key, record)
        return key, record

    def setdefault(self, key: int, default: JSONObject) -> JSONObject:
        if key not in self:
            self[key] = default
        return dict.__getitem__(self, key)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, record in dict(*args, **kwargs).items():
            self[key] = record

    def clear(self) -> None:
        dict.clear(self)
        self._by_owner.clear()


@dataclass
class Store:
    max_entities: int = 10_000
    groups: dict[int, JSONObject] = field(default_factory=dict)
    periods: Owned = field(default_factory=Owned)
    targets: Owned = field(default_factory=Owned)
    streaks: Owned = field(default_factory=Owned)
    communications: dict[tuple[int, str], JSONObject] = field(default_factory=dict)
    enrolments: dict[tuple[int, int], JSONObject] = field(default_factory=dict)
    channels: list[JSONObject] = field(default_factory=list)
    orgs: set[int] = field(default_factory=set)
    """The orgs of the mock's connected-org hierarchy: those the spec's examples name (seed)."""
    names: dict[str, int] = field(default_factory=dict)
    """Case-folded target-group name → id, so the uniqueness rule costs O(1)."""
    running: tuple[Any, ...] = ()
    """The period statuses that make a period the group's active one (``x-value-roles`` of PeriodStatus)."""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(FIRST_ID))
    _last: int = FIRST_ID - 1
    """The id before the next one to be given: what a write made since a :meth:`savepoint` has an id above
    the mark (every seeded id is at or below it, :meth:`bump`)."""

    @property
    def size(self) -> int:
        return (
            len(self.groups)
            + len(self.periods)
            + len(self.targets)
            + len(self.streaks)
            + len(self.communications)
            + len(self.enrolments)
        )

    def reserve(self, count: int) -> None:
        """Raise StoreFull when ``count`` more entities would pass the cap."""
        if self.size + count > self.max_entities:
            raise StoreFull(self.max_entities)

    def next_id(self) -> int:
        self._last = next(self._ids)
        return self._last

    def savepoint(self) -> int:
        """A mark to :meth:`roll_back` to: a refused write must leave nothing behind (a create that stored
        the group and two of its targets, then refused the third, answered 400 with them kept)."""
        return self._last

    def roll_back(self, mark: int) -> None:
        """Remove every record made since ``mark`` (ids are given in order), with what is keyed by them."""
        if self._last <= mark:
            return
        made = range(mark + 1, self._last + 1)
        for collection in (self.groups, self.periods, self.targets, self.streaks):
            for ident in made:
                collection.pop(ident, None)
        for key in [k for k in self.communications if k[0] in made]:
            del self.communications[key]
        for pair in [k for k in self.enrolments if k[0] in made]:
            del self.enrolments[pair]
        for name in [n for n, ident in self.names.items() if ident in made]:
            del self.names[name]

    def bump(self, seen: int) -> None:
        """Keep generated ids above every seeded id."""
        current = next(self._ids)
        self._ids = itertools.count(max(current, seen + 1))
        self._last = max(current, seen + 1) - 1

    # -- views ------------------------------------------------------------------------------
    def group_view(
        self, group_id: int, *, periods: bool = True, only_active_targets: bool = False
    ) -> JSONObject:
        """The group as the API answers it. Shallow: replies are serialized at once, never mutated."""
        group = dict(self.groups[group_id])
        own_periods = self.periods.of(group_id)
        if periods:
            group["periods"] = own_periods
        group["targets"] = [
            t for t in self.targets.of(group_id) if t.get("active", True) or not only_active_targets
        ]
        streaks = self.streaks.of(group_id)
        if streaks:
            group["streaks"] = streaks
        active = active_period(own_periods, self.running)
        if active is not None:
            group["activePeriod"] = active
        group["totalPeriods"] = len(own_periods) or group.get("totalPeriods", 0)
        return group

    def targets_of(self, group_id: int) -> list[JSONObject]:
        return self.targets.of(group_id)

    def periods_of(self, group_id: int) -> list[JSONObject]:
        return self.periods.of(group_id)

    def name_owner(self, name: Any) -> int | None:
        return self.names.get(str(name).casefold())

    def set_name(self, group_id: int, name: Any) -> None:
        old = self.groups.get(group_id, {}).get("name")
        if old is not None and self.names.get(str(old).casefold()) == group_id:
            del self.names[str(old).casefold()]
        self.names[str(name).casefold()] = group_id

    def held_by(self, records: dict[Any, JSONObject], link: str, owner: Any) -> list[tuple[Any, JSONObject]]:
        """The (key, record) pairs of ``records`` whose ``link`` holds ``owner`` (read off the index
        where there is one)."""
        if isinstance(records, Owned) and records.link == link:
            return records.items_of(owner)
        return [(k, r) for k, r in records.items() if r.get(link) == owner]

    def collection(self, name: str) -> dict[int, JSONObject]:
        """The records of the collection the spec's paths call ``name``."""
        found: dict[int, JSONObject] = getattr(self, COLLECTIONS[name])
        return found

    def unique_owner(self, collection: str, field_name: str, value: Any) -> int | None:
        """The id of the record of ``collection`` whose ``field_name`` is ``value`` (case-insensitive)."""
        if self.collection(collection) is self.groups and field_name == "name":
            return self.name_owner(value)
        folded = str(value).casefold()
        return next(
            (
                k
                for k, r in self.collection(collection).items()
                if str(r.get(field_name)).casefold() == folded
            ),
            None,
        )

    def delete(self, collection: str, record_id: int, link: str) -> None:
        """Remove a record and every record that holds its id in ``link`` (a group's periods, targets, ...)."""
        records = self.collection(collection)
        name = str(records[record_id].get("name", "")).casefold()
        if records is self.groups and self.names.get(name) == record_id:
            del self.names[name]
        del records[record_id]
        held: list[dict[Any, JSONObject]] = [
            self.periods,
            self.targets,
            self.streaks,
            self.communications,
            self.enrolments,
        ]
        for records_held in held:
            for key, _ in self.held_by(records_held, link, record_id):
                del records_held[key]
