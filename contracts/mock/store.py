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


class StoreFull(Exception):
    """The entity cap is reached."""


@dataclass
class Store:
    max_entities: int = 10_000
    groups: dict[int, JSONObject] = field(default_factory=dict)
    periods: dict[int, JSONObject] = field(default_factory=dict)
    targets: dict[int, JSONObject] = field(default_factory=dict)
    streaks: dict[int, JSONObject] = field(default_factory=dict)
    communications: dict[tuple[int, str], JSONObject] = field(default_factory=dict)
    enrolments: dict[tuple[int, int], JSONObject] = field(default_factory=dict)
    channels: list[JSONObject] = field(default_factory=list)
    names: dict[str, int] = field(default_factory=dict)
    """Case-folded target-group name → id, so the uniqueness rule costs O(1)."""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(100_000))

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
        return next(self._ids)

    def bump(self, seen: int) -> None:
        """Keep generated ids above every seeded id."""
        current = next(self._ids)
        self._ids = itertools.count(max(current, seen + 1))

    # -- views ------------------------------------------------------------------------------
    def group_view(
        self, group_id: int, *, periods: bool = True, only_active_targets: bool = False
    ) -> JSONObject:
        """The group as the API answers it. Shallow: replies are serialized at once, never mutated."""
        group = dict(self.groups[group_id])
        own_periods = [p for p in self.periods.values() if p.get("targetGroupId") == group_id]
        if periods:
            group["periods"] = own_periods
        group["targets"] = [
            t
            for t in self.targets.values()
            if t.get("targetGroupId") == group_id and (t.get("active", True) or not only_active_targets)
        ]
        streaks = [s for s in self.streaks.values() if s.get("targetGroupId") == group_id]
        if streaks:
            group["streaks"] = streaks
        running = [p for p in own_periods if p.get("periodStatus") in ("RUNNING", "LIVE")]
        if running or own_periods:
            group["activePeriod"] = (running or own_periods)[0]
        group["totalPeriods"] = len(own_periods) or group.get("totalPeriods", 0)
        return group

    def targets_of(self, group_id: int) -> list[JSONObject]:
        return [t for t in self.targets.values() if t.get("targetGroupId") == group_id]

    def periods_of(self, group_id: int) -> list[JSONObject]:
        return [p for p in self.periods.values() if p.get("targetGroupId") == group_id]

    def name_owner(self, name: Any) -> int | None:
        return self.names.get(str(name).casefold())

    def set_name(self, group_id: int, name: Any) -> None:
        old = self.groups.get(group_id, {}).get("name")
        if old is not None and self.names.get(str(old).casefold()) == group_id:
            del self.names[str(old).casefold()]
        self.names[str(name).casefold()] = group_id

    def delete_group(self, group_id: int) -> None:
        name = str(self.groups[group_id].get("name", "")).casefold()
        if self.names.get(name) == group_id:
            del self.names[name]
        del self.groups[group_id]
        for collection in (self.periods, self.targets, self.streaks):
            for key in [k for k, v in collection.items() if v.get("targetGroupId") == group_id]:
                del collection[key]
        for ckey in [k for k, v in self.communications.items() if v.get("targetGroupId") == group_id]:
            del self.communications[ckey]
        for ekey in [k for k, v in self.enrolments.items() if v.get("targetGroupId") == group_id]:
            del self.enrolments[ekey]
