"""Schema changes, judged by the side that uses the schema: requests (clients send) or responses (clients read).

A response may narrow (fewer types, fewer enum values, more required fields) and a request may
widen; the opposite breaks a client. The walk starts at each operation's bodies and parameters,
follows ``$ref`` on both sides (so a component is judged by every side that reaches it, and a
refactoring into ``allOf`` parts or a renamed component is no change), and descends into
properties, ``allOf`` parts, ``items`` and ``additionalProperties``. Pointers of removals point
into OLD, all others into NEW.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from contracts.diff.change import Change
from contracts.spec import Spec, join_pointer

Side = Literal["request", "response"]
SCHEMA_REF = "#/components/schemas/"
WHY = {"request": "clients send it", "response": "clients read it"}


def resolve(spec: Spec, node: Any, pointer: str) -> tuple[str, Any, str | None]:
    """``node`` with its ``$ref`` chain followed: (where it is, the node, its component name if any)."""
    name = None
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
        ref = node["$ref"]
        seen.add(ref)
        pointer, node = ref[1:], spec.deref({"$ref": ref})
        name = ref[len(SCHEMA_REF) :] if ref.startswith(SCHEMA_REF) else name
    return pointer, node, name


DEPTH = 16
"""How deep ``allOf``/``anyOf`` nesting is followed (a cycle through them is not a schema anyone means)."""


def shape(spec: Spec, schema: Any, depth: int = DEPTH) -> frozenset[str]:
    """The JSON types a schema admits (empty: untyped); ``allOf`` parts intersect, ``anyOf``/``oneOf`` unite."""
    schema = resolve(spec, schema, "")[1]
    if not isinstance(schema, dict) or depth == 0:
        return frozenset()
    kind = schema.get("type")
    if kind is not None:
        kinds = frozenset(kind if isinstance(kind, list) else [kind])
    else:
        parts = [s for s in (shape(spec, p, depth - 1) for p in schema.get("allOf", [])) if s]
        kinds = frozenset.intersection(*parts) if parts else frozenset()
    for key in ("anyOf", "oneOf"):
        for member in schema.get(key, []):
            kinds |= shape(spec, member, depth - 1)
    return kinds


def _covers(big: frozenset[str], small: frozenset[str]) -> bool:
    """Every value of ``small`` is a value of ``big`` (an integer is a number; untyped is anything)."""
    return not big or all(k in big or (k == "integer" and "number" in big) for k in small)


def breaks(before: frozenset[str], after: frozenset[str], side: Side) -> bool:
    """A type change breaks readers when it widens and senders when it narrows."""
    return not _covers(before, after) if side == "response" else not _covers(after, before)


def _flat(
    spec: Spec, schema: Any, pointer: str, depth: int = DEPTH
) -> tuple[dict[str, tuple[str, Any]], dict[str, str]]:
    """Properties and required names (each with where it is written), through ``allOf`` parts and refs."""
    pointer, schema, _ = resolve(spec, schema, pointer)
    if not isinstance(schema, dict) or depth == 0:
        return {}, {}
    props: dict[str, tuple[str, Any]] = {}
    required: dict[str, str] = {}
    for index, part in enumerate(schema.get("allOf", [])):  # a later part refines an earlier one
        inner, inner_required = _flat(spec, part, join_pointer(pointer, "allOf", index), depth - 1)
        props.update(inner)
        required.update(inner_required)
    props.update(
        {n: (join_pointer(pointer, "properties", n), s) for n, s in schema.get("properties", {}).items()}
    )
    required.update(
        {n: join_pointer(pointer, "required", i) for i, n in enumerate(schema.get("required", []))}
    )
    return props, required


def _types(kinds: frozenset[str]) -> str:
    return "/".join(sorted(kinds)) or "untyped"


@dataclass
class Walk:
    """One comparison of OLD and NEW; remembers the node pairs it has judged for each side."""

    old: Spec
    new: Spec
    seen: set[tuple[str, str, Side]] = field(default_factory=set)

    def compare(
        self, before: Any, after: Any, *, old_at: str, new_at: str, label: str, side: Side
    ) -> Iterator[Change]:
        """Every change from ``before`` (at ``old_at`` in OLD) to ``after`` (at ``new_at`` in NEW)."""
        old_at, before, _ = resolve(self.old, before, old_at)
        new_at, after, name = resolve(self.new, after, new_at)
        if not isinstance(before, dict) or not isinstance(after, dict) or (old_at, new_at, side) in self.seen:
            return
        self.seen.add((old_at, new_at, side))
        label = name or label
        old, new = shape(self.old, before), shape(self.new, after)
        if old and old != new:
            nullable = new - old == {"null"}
            message = (
                f"{label} may now be null" if nullable else f"{label}: type {_types(old)} → {_types(new)}"
            )
            yield Change(
                breaks(old, new, side), "now-nullable" if nullable else "type-changed", new_at, message
            )
            if not nullable:
                return
        yield from self._enum(before, after, old_at, new_at, label, side)
        yield from self._properties(before, after, old_at, new_at, label, side)
        for key, suffix in (("items", "[]"), ("additionalProperties", "{}")):
            yield from self.compare(
                before.get(key),
                after.get(key),
                old_at=f"{old_at}/{key}",
                new_at=f"{new_at}/{key}",
                label=label + suffix,
                side=side,
            )
        for key in ("anyOf", "oneOf"):
            for i, j in self._members(before.get(key), after.get(key)):
                yield from self.compare(
                    before[key][i],
                    after[key][j],
                    old_at=f"{old_at}/{key}/{i}",
                    new_at=f"{new_at}/{key}/{j}",
                    label=label,
                    side=side,
                )

    def _members(self, before: Any, after: Any) -> Iterator[tuple[int, int]]:
        """Pairs of ``anyOf``/``oneOf`` members to compare: by position, else by the types they admit."""
        if not isinstance(before, list) or not isinstance(after, list):
            return
        if len(before) == len(after):
            yield from ((i, i) for i in range(len(before)))
            return
        shapes = [shape(self.new, member) for member in after]
        for i, member in enumerate(before):
            kinds = shape(self.old, member)
            if kinds in shapes:
                yield i, shapes.index(kinds)

    def _enum(
        self, before: Any, after: Any, old_at: str, new_at: str, label: str, side: Side
    ) -> Iterator[Change]:
        old, new = before.get("enum"), after.get("enum")
        if isinstance(new, list) and not isinstance(old, list):  # a free value is now a closed set
            why = " (clients may send other values)" if side == "request" else ""
            yield Change(side == "request", "enum-added", f"{new_at}/enum", f"{label} is now an enum{why}")
        if isinstance(old, list) and not isinstance(new, list):  # a closed set is now free
            why = " (clients may receive other values)" if side == "response" else ""
            yield Change(
                side == "response", "enum-removed", f"{old_at}/enum", f"{label} is no longer an enum{why}"
            )
        if not isinstance(old, list) or not isinstance(new, list):
            return
        for index, value in enumerate(old):
            if value not in new:
                why = " (clients may send it)" if side == "request" else ""
                yield Change(
                    side == "request",
                    "enum-value-removed",
                    f"{old_at}/enum/{index}",
                    f"{label}: value {value!r} removed{why}",
                )
        for index, value in enumerate(new):
            if value not in old:
                why = " (clients may receive it)" if side == "response" else ""
                yield Change(
                    side == "response",
                    "enum-value-added",
                    f"{new_at}/enum/{index}",
                    f"{label}: value {value!r} added{why}",
                )

    def _properties(
        self, before: Any, after: Any, old_at: str, new_at: str, label: str, side: Side
    ) -> Iterator[Change]:
        old_props, old_required = _flat(self.old, before, old_at)
        new_props, new_required = _flat(self.new, after, new_at)
        for name, (where, schema) in old_props.items():
            if name not in new_props:
                why = f" ({WHY[side]})" if side == "response" else ""
                yield Change(
                    side == "response", "property-removed", where, f"{label}.{name} was removed{why}"
                )
                continue
            now_at, now = new_props[name]
            yield from self.compare(
                schema, now, old_at=where, new_at=now_at, label=f"{label}.{name}", side=side
            )
            if name in old_required and name not in new_required:
                yield Change(
                    side == "response",
                    "property-now-optional",
                    now_at,
                    f"{label}.{name} is no longer required"
                    + (" (clients may not get it)" if side == "response" else ""),
                )
        for name in new_props.keys() - old_props.keys():
            required = name in new_required
            yield Change(
                required and side == "request",
                "property-added",
                new_props[name][0],
                f"{label}.{name} was added" + (" as required" if required else ""),
            )
        for name in new_required.keys() - old_required.keys() - (new_props.keys() - old_props.keys()):
            yield Change(
                side == "request",
                "property-now-required",
                new_required[name],
                f"{label}.{name} is now required" + (" (clients must send it)" if side == "request" else ""),
            )


def component_changes(old: Spec, new: Spec) -> Iterator[Change]:
    """Named schemas added or removed (notices: what uses them is judged where it is used)."""
    before = old.raw.get("components", {}).get("schemas", {})
    after = new.raw.get("components", {}).get("schemas", {})
    for name in before.keys() - after.keys():
        yield Change(
            False, "schema-removed", join_pointer("/components/schemas", name), f"schema {name} was removed"
        )
    for name in after.keys() - before.keys():
        yield Change(
            False, "schema-added", join_pointer("/components/schemas", name), f"schema {name} was added"
        )
