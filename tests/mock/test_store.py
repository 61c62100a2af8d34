"""The store's group index: every way of adding or removing a record keeps it equal to a scan."""

from __future__ import annotations

import random
from typing import Any

import pytest

from contracts.mock.store import GROUP_LINK, Owned, Store


def _scan(records: dict[int, dict[str, Any]], owner: Any) -> list[dict[str, Any]]:
    return [r for r in records.values() if r.get(GROUP_LINK) == owner]


def _record(key: int, owner: int) -> dict[str, Any]:
    return {"id": key, GROUP_LINK: owner}


@pytest.mark.parametrize("seed", range(20))
def test_the_index_answers_what_a_scan_of_the_records_does(seed: int) -> None:
    rng = random.Random(seed)
    owned, plain = Owned(), dict[int, dict[str, Any]]()
    for _ in range(400):
        key, owner = rng.randrange(30), rng.randrange(4)
        step = rng.choice(
            ["set", "set", "set", "del", "pop", "pop-default", "setdefault", "update", "popitem"]
        )
        if step == "set":
            owned[key] = plain[key] = _record(key, owner)
        elif step == "del" and key in plain:
            del owned[key], plain[key]
        elif step == "pop":
            assert (owned.pop(key) if key in plain else None) == (plain.pop(key) if key in plain else None)
        elif step == "pop-default":
            assert owned.pop(key, None) == plain.pop(key, None)
        elif step == "setdefault":
            new = _record(key, owner)
            assert owned.setdefault(key, new) == plain.setdefault(key, new)
        elif step == "update":
            batch = {k: _record(k, rng.randrange(4)) for k in rng.sample(range(30), 3)}
            owned.update(batch)
            plain.update(batch)
        elif step == "popitem" and plain:
            key, record = owned.popitem()
            assert plain.pop(key) == record
        assert dict(owned) == plain  # the same records (a record moved to another owner is stored last)
        for group in range(5):
            assert owned.of(group) == _scan(owned, group), (seed, step)
    owned.clear()
    assert not owned and owned.of(0) == []


def test_a_missing_key_is_refused_as_a_dict_refuses_it() -> None:
    owned = Owned()
    with pytest.raises(KeyError):
        owned.pop(1)
    with pytest.raises(KeyError):
        del owned[1]


def test_a_group_view_holds_its_own_records_among_many_others() -> None:
    store = Store(max_entities=10**6)
    store.groups[7] = {"id": 7, "name": "mine"}
    for key in range(1, 2001):
        owner = 7 if key % 500 == 0 else 1000 + key
        store.targets[key] = {"id": key, GROUP_LINK: owner, "active": key != 1000}
        store.periods[key] = {"id": key, GROUP_LINK: owner, "periodStatus": "ACTIVE"}
    view = store.group_view(7)
    assert [t["id"] for t in view["targets"]] == [500, 1000, 1500, 2000]
    assert [p["id"] for p in view["periods"]] == [500, 1000, 1500, 2000] and view["totalPeriods"] == 4
    assert [t["id"] for t in store.group_view(7, only_active_targets=True)["targets"]] == [500, 1500, 2000]


def test_delete_and_roll_back_leave_no_record_in_the_index() -> None:
    store = Store(max_entities=10**6)
    store.groups[7] = {"id": 7, "name": "mine"}
    store.targets[1] = {"id": 1, GROUP_LINK: 7}
    mark = store.savepoint()
    made = store.next_id()
    store.targets[made] = {"id": made, GROUP_LINK: 7}
    store.periods[made] = {"id": made, GROUP_LINK: 7}
    store.roll_back(mark)
    assert store.targets_of(7) == [{"id": 1, GROUP_LINK: 7}] and store.periods_of(7) == []
    store.delete("targetGroups", 7, GROUP_LINK)
    assert store.targets_of(7) == [] and not store.targets
