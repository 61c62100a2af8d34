"""The linter's one walk (``walked_shape``) gives ``shape_problem``'s verdict and ``walk``'s list."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from contracts import spec as spec_module
from contracts.errors import SpecError
from contracts.schemas import walk
from contracts.spec import MAX_DEPTH, Spec, load_spec, shape_problem, walked_shape


def _nested(depth: int, *, wide: int = 0, lists: bool = False) -> Any:
    """A document ``depth`` containers deep (dicts, or alternating lists), ``wide`` siblings at the top."""
    node: Any = {}
    for level in range(depth - 1):
        node = [node] if lists and level % 2 else {"a/b~c": node, "example": {"x": [1]}}
    return {"top": node, **{f"s{i}": {"v": []} for i in range(wide)}}


def _chain(depth: int) -> Any:
    node: Any = {}
    for _ in range(depth - 1):
        node = {"a": node}
    return node


SHAPES = [
    _chain(MAX_DEPTH),  # exactly at the limit: fine
    _chain(MAX_DEPTH + 1),
    _nested(3),
    _nested(MAX_DEPTH),
    _nested(MAX_DEPTH + 1),
    _nested(MAX_DEPTH + 5, lists=True),
    _nested(MAX_DEPTH - 1, lists=True),
    [{"a": [{"b": {}}]}],
    {"properties": {"example": {"examples": [{"k": {}}]}}},
    "not a container",
]


@pytest.mark.parametrize("document", SHAPES, ids=range(len(SHAPES)))
def test_same_verdict_and_walk(document: Any) -> None:
    problem, walked = walked_shape(document)
    assert problem == shape_problem(document)
    assert walked == ([] if problem else walk(document))


@pytest.mark.parametrize(
    ("depth", "wide", "limit"),
    [(5, 100, 50), (5, 10, 50), (200, 0, 150), (200, 40, 150), (150, 0, 300), (150, 100, 300)],
)
def test_too_many_and_too_deep_as_shape_problem_orders_them(
    depth: int, wide: int, limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a small budget: too many containers down to one level below the limit wins over depth."""
    monkeypatch.setattr(spec_module, "MAX_CONTAINERS", limit)
    document = _nested(depth, wide=wide)
    expected = shape_problem(document)
    assert walked_shape(document)[0] == expected
    assert expected is not None or len(walk(document)) <= limit


def test_the_real_spec_is_walked_once_as_walk_walks_it() -> None:
    lenient = Spec.from_path(load_spec().path or "", lenient=True)
    assert lenient.walked == walk(lenient.raw)
    assert load_spec().walked is None  # a strict spec does not keep a walk


def test_a_lenient_spec_refuses_what_a_strict_one_refuses() -> None:
    raw = copy.deepcopy(load_spec().raw)
    raw["components"]["x-deep"] = _nested(MAX_DEPTH + 1)
    messages = []
    for lenient in (False, True):
        with pytest.raises(SpecError) as refused:
            Spec(raw, lenient=lenient)
        messages.append(str(refused.value))
    assert (
        messages[0]
        == messages[1]
        == f"spec: nested deeper than {MAX_DEPTH} levels; not a spec this tool reads"
    )
