"""The index's values (operations, catalogue entries, named enums) behave as frozen dataclasses did:
immutable, equal and hashed by their identifying fields, shown by them, and copied or pickled whole."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any

import pytest

from contracts.spec import Spec, load_spec


def _values(spec: Spec) -> list[Any]:
    return [spec.operations[0], next(iter(spec.error_catalogue.values())), next(iter(spec.enums.values()))]


@pytest.mark.parametrize("kind", [0, 1, 2], ids=["Operation", "ErrorCode", "EnumSchema"])
def test_values_are_frozen_and_rebuilt_whole(kind: int) -> None:
    # a spec of its own: the shared one holds compiled validators (other tests'), which do not copy
    spec = Spec.from_path(load_spec().path or "")
    value = _values(spec)[kind]
    name = type(value)._fields[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, name, "changed")
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(value, name)
    for twin in (copy.copy(value), copy.deepcopy(value), pickle.loads(pickle.dumps(value))):
        assert twin == value and hash(twin) == hash(value) and repr(twin) == repr(value)
        assert all(getattr(twin, n) == getattr(value, n) for n in type(value)._compared)


def test_operations_are_equal_by_what_identifies_them() -> None:
    first, second = Spec.from_path(load_spec().path or ""), load_spec()
    assert first.operations == second.operations  # raw and spec are not compared
    assert first.operations[0] != first.operations[1]
    assert first.operations[0] != tuple(first.operations[0]._key())  # not a tuple
    shown = repr(first.operations[0])
    assert shown.startswith("Operation(operation_id='get-target-groups-all', method='GET'")
    assert "raw=" not in shown and "spec=" not in shown
    assert len({*first.operations, *second.operations}) == len(first.operations)


def test_catalogue_entries_differ_by_any_field() -> None:
    entry = next(iter(load_spec().error_catalogue.values()))
    fields = {n: getattr(entry, n) for n in type(entry)._fields}
    other = type(entry)(**{**fields, "pointer": "/elsewhere"})
    assert other != entry and repr(other) != repr(entry)
