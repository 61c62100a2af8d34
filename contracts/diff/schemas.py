"""Schema changes, judged by the side a client is on where it meets the schema.

A response may narrow (fewer types, fewer enum values, more required fields) and a request may
widen; the opposite breaks a client. Both sides are compared as resolved nodes
(:mod:`contracts.diff.resolve`), so only what a client can send or receive counts, never how the
components are written.

A pair of nodes is judged once per side for the whole diff (:class:`Schemas` remembers the
result, relative to the pair), and each operation that reaches the pair replays it under its own
path. A pair met again while it is being judged is a cycle: it adds nothing there, and results cut
short by a cycle are not remembered, so every operation still sees every change below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from contracts.diff.change import Change
from contracts.diff.resolve import Node, Part, Resolver, Types, covers, meet
from contracts.errors import SpecError

Side = Literal["request", "response"]
MAX_DEPTH = 100
"""Levels of properties/items followed from a body or parameter before the spec is refused."""
Key = tuple[tuple[str, ...], tuple[str, ...], Side]


@dataclass(frozen=True)
class Rel:
    """A change found below a pair of nodes, at ``path`` (field names, ``[]``, ``{}``) from the pair."""

    breaking: bool
    kind: str
    pointer: str
    detail: str
    new_at: str
    path: tuple[str, ...] = ()


def render(base: str, path: tuple[str, ...]) -> str:
    """``response 200`` + ``("data", "periods", "[]", "id")`` → ``response 200 data.periods[].id``."""
    text = ""
    for token in path:
        text += token if token in ("[]", "{}") else (f".{token}" if text else token)
    if text.startswith(("[]", "{}")):
        text = "(body)" + text
    return f"{base} {text}" if text else base


def _types(kinds: Types) -> str:
    if kinds is None:
        return "any"
    return "/".join(sorted(kinds)) or "nothing"


def _union(node: Node) -> list[Part]:
    """The members of a node that is only a union (``anyOf``/``oneOf`` and no fields of its own)."""
    if node.properties or node.enum is not None or node.items:
        return []
    return [*node.members.get("anyOf", []), *node.members.get("oneOf", [])]


def _overlap(a: Types, b: Types) -> bool:
    return a is None or b is None or bool(meet(a, b))


class Schemas:
    """Judges pairs of schema nodes (OLD, NEW) for one diff, remembering each pair's changes."""

    def __init__(self, old: Resolver, new: Resolver) -> None:
        self.old, self.new = old, new
        self._memo: dict[Key, list[Rel]] = {}
        self._active: set[Key] = set()

    def changes(
        self, before: Part | None, after: Part | None, *, operation: str, base: str, side: Side
    ) -> list[Change]:
        """The changes a client of ``operation`` meets in a body or parameter (none if a side lacks it)."""
        if before is None or after is None:
            return []
        rels, _ = self._nodes(self.old.node([before]), self.new.node([after]), side, 0)
        return [
            Change(r.breaking, r.kind, r.pointer, r.detail, operation, render(base, r.path), r.new_at)
            for r in rels
        ]

    def _nodes(self, before: Node, after: Node, side: Side, depth: int) -> tuple[list[Rel], set[Key]]:
        """(changes below the pair, the active pairs a cycle cut the walk at)."""
        key = (before.key, after.key, side)
        if key in self._memo:
            return self._memo[key], set()
        if key in self._active:
            return [], {key}
        if depth > MAX_DEPTH:
            raise SpecError(f"{after.pointer}: schemas nest more than {MAX_DEPTH} levels deep")
        self._active.add(key)
        try:
            walk = _Pair(self, before, after, side, depth)
            walk.run()
        finally:
            self._active.discard(key)
        walk.cuts.discard(key)
        kept: dict[tuple[str, str], Rel] = {}
        for rel in walk.out:  # a change reached along two paths is kept at the first
            kept.setdefault((rel.kind, rel.pointer), rel)
        rels = list(kept.values())
        if not walk.cuts:
            self._memo[key] = rels
        return rels, walk.cuts


class _Pair:
    """The walk below one pair of nodes."""

    def __init__(self, judge: Schemas, before: Node, after: Node, side: Side, depth: int) -> None:
        self.judge, self.before, self.after, self.side, self.depth = judge, before, after, side, depth
        self.out: list[Rel] = []
        self.cuts: set[Key] = set()
        self.response = side == "response"

    def change(self, breaking: bool, kind: str, pointer: str, detail: str, new_at: str, *path: str) -> None:
        self.out.append(Rel(breaking, kind, pointer, detail, new_at, path))

    def below(self, before: Node, after: Node, *path: str) -> None:
        rels, cuts = self.judge._nodes(before, after, self.side, self.depth + 1)
        self.cuts |= cuts
        self.out.extend(
            Rel(r.breaking, r.kind, r.pointer, r.detail, r.new_at, (*path, *r.path)) for r in rels
        )

    def parts(self, before: list[Part], after: list[Part], *path: str) -> None:
        if before and after:
            self.below(self.judge.old.node(before), self.judge.new.node(after), *path)

    def run(self) -> None:
        before, after = self.before, self.after
        if not self.types():
            return
        if bool(_union(before)) != bool(_union(after)):  # X ↔ anyOf [X, null]: X against each member
            union, plain = (before, after) if _union(before) else (after, before)
            resolver = self.judge.old if union is before else self.judge.new
            for member in _union(union):
                node = resolver.node([member])
                if _overlap(node.types, plain.types):
                    self.below(*((node, after) if union is before else (before, node)))
            return
        self.enum()
        self.properties()
        self.parts(before.items, after.items, "[]")
        self.parts(before.additional, after.additional, "{}")
        for word in ("anyOf", "oneOf"):
            for old_member, new_member in self.pairs(before.members.get(word), after.members.get(word)):
                self.parts([old_member], [new_member])

    def types(self) -> bool:
        """Report a type change; False when the types share nothing (nothing below is comparable)."""
        old, new = self.before.types, self.after.types
        if covers(old, new) and covers(new, old):
            return True
        at = self.after.types_at or self.after.pointer
        breaking = not covers(old, new) if self.response else not covers(new, old)
        if old is not None and new is not None and new - old == {"null"}:
            why = " (clients may read null)" if self.response else ""
            self.change(breaking, "now-nullable", at, f"may now be null{why}", at)
            return True
        why = " (clients may read other types)" if self.response else " (clients may send refused types)"
        self.change(
            breaking,
            "type-changed",
            at,
            f"type {_types(old)} → {_types(new)}" + (why if breaking else ""),
            at,
        )
        return _overlap(old, new)

    def enum(self) -> None:
        before, after, request = self.before, self.after, not self.response
        old, new = before.enum, after.enum
        if new is not None and old is None:
            why = " (clients may send other values)" if request else ""
            self.change(request, "enum-added", after.enum_at, f"is now an enum{why}", after.enum_at)
        if old is not None and new is None:
            why = " (clients may receive other values)" if self.response else ""
            self.change(
                self.response, "enum-removed", before.enum_at, f"is no longer an enum{why}", after.pointer
            )
        if old is None or new is None:
            return
        for canon, (value, at) in old.items():
            if canon not in new:
                why = " (clients may send it)" if request else ""
                self.change(
                    request,
                    "enum-value-removed",
                    at,
                    f"value {value!r} removed{why}",
                    f"{after.enum_at}/enum",
                )
        for canon, (value, at) in new.items():
            if canon not in old:
                why = " (clients may receive it)" if self.response else ""
                self.change(self.response, "enum-value-added", at, f"value {value!r} added{why}", at)

    def properties(self) -> None:
        before, after, response = self.before, self.after, self.response
        for name, parts in before.properties.items():
            if name not in after.properties:
                why = " (clients read it)" if response else ""
                at = after.properties_at or after.pointer
                self.change(response, "property-removed", parts[0].pointer, f"removed{why}", at, name)
                continue
            now = after.properties[name]
            self.parts(parts, now, name)
            if name in before.required and name not in after.required:
                why = " (clients may not get it)" if response else ""
                self.change(
                    response,
                    "property-now-optional",
                    now[0].pointer,
                    f"no longer required{why}",
                    now[0].pointer,
                    name,
                )
        for name, parts in after.properties.items():
            if name in before.properties:
                continue
            required = name in after.required and not response
            detail = "added as required (clients must send it)" if required else "added"
            self.change(required, "property-added", parts[0].pointer, detail, parts[0].pointer, name)
        for name, at in after.required.items():
            if name in before.required or (name in after.properties and name not in before.properties):
                continue  # a required field that is new was reported as added
            why = " (clients must send it)" if not response else ""
            self.change(not response, "property-now-required", at, f"now required{why}", at, name)

    def pairs(self, before: list[Part] | None, after: list[Part] | None) -> list[tuple[Part, Part]]:
        """``anyOf``/``oneOf`` members to compare: by position, else by the types they admit."""
        if not before or not after:
            return []
        if len(before) == len(after):
            return list(zip(before, after, strict=True))
        old, new = self.judge.old, self.judge.new
        kinds = [new.node([member]).types for member in after]
        return [
            (member, after[kinds.index(old.node([member]).types)])
            for member in before
            if old.node([member]).types in kinds
        ]
