"""Where a response's values sit at named components, folded once per response schema.

The enum and format checks (and the coverage report) ask "which values of this body sit at
``TrackingType``, ``Date``, ...?". Following ``$ref``/``allOf``/``anyOf``/``oneOf`` for every body
would repeat the same schema walk per response, so a schema is folded once into a graph of
:class:`Position` nodes (combinators merged, recursive schemas sharing nodes) and pruned to the
branches where a wanted component can be reached; a body is then walked along that graph only.

Combinator branches are merged, not chosen: a property declared in two ``oneOf`` branches is
looked at under both. The spec's conventions (enums only by ``$ref``, ``anyOf`` only for
``[X, null]``) keep that exact; ``patternProperties`` and ``prefixItems`` are not followed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from contracts.schemas import component_name, escape_token
from contracts.spec import Spec
from contracts.types import Pointer


@dataclass(eq=False)
class Position:
    """One place in a response: the components a value there sits at, and the places below it."""

    names: tuple[str, ...] = ()
    properties: dict[str, Position | None] = field(default_factory=dict)
    """Declared property → its position (None where nothing wanted lies below)."""
    additional: Position | None = None
    items: Position | None = None

    def children(self) -> Iterator[Position]:
        yield from (p for p in self.properties.values() if p is not None)
        if self.additional is not None:
            yield self.additional
        if self.items is not None:
            yield self.items


def locate(position: Position, instance: Any, path: Pointer = "") -> Iterator[tuple[Pointer, Position, Any]]:
    """(JSON pointer, position, value) for every value of ``instance`` at a position with names."""
    if position.names:
        yield path, position, instance
    if isinstance(instance, dict):
        if not position.properties and position.additional is None:
            return
        props, extra = position.properties, position.additional
        for key, value in instance.items():
            child = props.get(key, extra)  # a declared key mapped to None is not additional
            if child is not None:
                yield from locate(child, value, f"{path}/{escape_token(key)}")
    elif isinstance(instance, list) and position.items is not None:
        for index, value in enumerate(instance):
            yield from locate(position.items, value, f"{path}/{index}")


def fold(spec: Spec, schema: Any, wanted: frozenset[str] | None = None) -> Position | None:
    """The position graph of ``schema`` keeping ``wanted`` component names (all when None).

    None when no wanted component can be reached, so callers skip the body entirely.
    """
    folder = _Folder(spec, wanted)
    root = folder.position([schema])
    return root if folder.prune(root) else None


class _Folder:
    def __init__(self, spec: Spec, wanted: frozenset[str] | None) -> None:
        self.spec = spec
        self.wanted = wanted
        self.memo: dict[tuple[int, ...], Position] = {}

    def _expand(self, schemas: list[Any]) -> tuple[list[dict[str, Any]], list[str]]:
        """Every schema object that applies at one place (through refs and combinators, merged), and
        the component names met on the way."""
        flat: list[dict[str, Any]] = []
        names: list[str] = []
        for node, where in self.spec.schemas.parts([(s, "") for s in schemas]):
            flat.append(node)
            name = component_name(where)
            if name is not None:
                names.append(name)
        return flat, names

    def position(self, schemas: list[Any]) -> Position:
        flat, names = self._expand(schemas)
        key = tuple(sorted(id(s) for s in flat))
        if key in self.memo:
            return self.memo[key]
        kept = tuple(dict.fromkeys(n for n in names if self.wanted is None or n in self.wanted))
        position = self.memo[key] = Position(names=kept)
        extras = [s for s in flat if isinstance(s.get("additionalProperties"), dict)]
        declared: dict[str, list[Any]] = {}
        for s in flat:
            for name, sub in (s.get("properties") or {}).items():
                declared.setdefault(name, []).append(sub)
        for name, subs in declared.items():
            # A schema that does not declare ``name`` still judges it by its additionalProperties.
            fallback = [e["additionalProperties"] for e in extras if name not in (e.get("properties") or {})]
            position.properties[name] = self.position(subs + fallback)
        if extras:
            position.additional = self.position([e["additionalProperties"] for e in extras])
        items = [s["items"] for s in flat if isinstance(s.get("items"), dict)]
        if items:
            position.items = self.position(items)
        return position

    def prune(self, root: Position) -> bool:
        """Drop the branches where no named position lies below; True when ``root`` survives."""
        live = {id(p) for p in self.memo.values() if p.names}
        changed = True
        while changed:
            changed = False
            for p in self.memo.values():
                if id(p) not in live and any(id(c) in live for c in p.children()):
                    live.add(id(p))
                    changed = True
        for p in self.memo.values():
            p.additional = p.additional if p.additional is not None and id(p.additional) in live else None
            p.items = p.items if p.items is not None and id(p.items) in live else None
            p.properties = {
                k: c if c is not None and id(c) in live else None for k, c in p.properties.items()
            }
            if p.additional is None:  # a dead declared key only matters when it shadows additionalProperties
                p.properties = {k: c for k, c in p.properties.items() if c is not None}
        return id(root) in live
