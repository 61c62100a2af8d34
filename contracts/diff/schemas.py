"""Schema changes, judged by the side a client is on where it meets the schema.

A response may narrow (fewer types, fewer enum values, more required fields) and a request may
widen; the opposite breaks a client. Both sides are compared as resolved nodes
(:mod:`contracts.diff.resolve`), so only what a client can send or receive counts, never how the
components are written. Each pair of nodes is judged once per operation and side, which also ends
the walk through recursive schemas.
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


@dataclass(frozen=True)
class Where:
    """What a client meets: ``response 200`` + ``data.periods[].id``."""

    base: str
    path: str = ""

    def child(self, token: str) -> Where:
        if token in ("[]", "{}"):
            return Where(self.base, (self.path or "(body)") + token)
        return Where(self.base, f"{self.path}.{token}" if self.path else token)

    def __str__(self) -> str:
        return f"{self.base} {self.path}" if self.path else self.base


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


class Compare:
    """Compares the schemas one operation's client meets, appending :class:`Change` s to ``out``."""

    def __init__(self, old: Resolver, new: Resolver, operation: str, out: list[Change]) -> None:
        self.old, self.new, self.operation, self.out = old, new, operation, out
        self.seen: set[tuple[tuple[str, ...], tuple[str, ...], Side]] = set()

    def _change(
        self, breaking: bool, kind: str, pointer: str, detail: str, where: Where, new_at: str
    ) -> None:
        self.out.append(Change(breaking, kind, pointer, detail, self.operation, str(where), new_at))

    def schemas(self, before: Part | None, after: Part | None, where: Where, side: Side) -> None:
        """Compare a body's or parameter's schemas (either may be absent: nothing to compare)."""
        if before is not None and after is not None:
            self._nodes(self.old.node([before]), self.new.node([after]), where, side, 0)

    def _parts(self, before: list[Part], after: list[Part], where: Where, side: Side, depth: int) -> None:
        if before and after:
            self._nodes(self.old.node(before), self.new.node(after), where, side, depth + 1)

    def _nodes(self, before: Node, after: Node, where: Where, side: Side, depth: int) -> None:
        key = (before.key, after.key, side)
        if key in self.seen:
            return
        self.seen.add(key)
        if depth > MAX_DEPTH:
            raise SpecError(f"{after.pointer}: schemas nest more than {MAX_DEPTH} levels deep ({where})")
        if not self._types(before, after, where, side):
            return
        if bool(_union(before)) != bool(
            _union(after)
        ):  # ``X`` ↔ ``anyOf: [X, {type: null}]``: X against its members
            plain, union = (after, before) if _union(before) else (before, after)
            for member in _union(union):
                node = (self.old if union is before else self.new).node([member])
                if _overlap(node.types, plain.types):
                    pair = (node, after) if union is before else (before, node)
                    self._nodes(*pair, where, side, depth + 1)
            return
        self._enum(before, after, where, side)
        self._properties(before, after, where, side, depth)
        self._parts(before.items, after.items, where.child("[]"), side, depth)
        self._parts(before.additional, after.additional, where.child("{}"), side, depth)
        for word in ("anyOf", "oneOf"):
            for old_member, new_member in self._pairs(before.members.get(word), after.members.get(word)):
                self._parts([old_member], [new_member], where, side, depth)

    def _types(self, before: Node, after: Node, where: Where, side: Side) -> bool:
        """Report a type change; False when the types share nothing (nothing below is comparable)."""
        old, new = before.types, after.types
        if covers(old, new) and covers(new, old):
            return True
        at = after.types_at or after.pointer
        widened = not covers(old, new)
        breaking = widened if side == "response" else not covers(new, old)
        if old is not None and new is not None and new - old == {"null"}:
            why = " (clients may read null)" if side == "response" else ""
            self._change(breaking, "now-nullable", at, f"may now be null{why}", where, at)
            return True
        reason = {
            "response": " (clients may read other types)",
            "request": " (clients may send refused types)",
        }
        detail = f"type {_types(old)} → {_types(new)}" + (reason[side] if breaking else "")
        self._change(breaking, "type-changed", at, detail, where, at)
        return _overlap(old, new)

    def _enum(self, before: Node, after: Node, where: Where, side: Side) -> None:
        old, new = before.enum, after.enum
        if new is not None and old is None:
            why = " (clients may send other values)" if side == "request" else ""
            self._change(
                side == "request", "enum-added", after.enum_at, f"is now an enum{why}", where, after.enum_at
            )
        if old is not None and new is None:
            why = " (clients may receive other values)" if side == "response" else ""
            at = after.pointer
            self._change(
                side == "response", "enum-removed", before.enum_at, f"is no longer an enum{why}", where, at
            )
        if old is None or new is None:
            return
        for canon, (value, at) in old.items():
            if canon not in new:
                why = " (clients may send it)" if side == "request" else ""
                detail = f"value {value!r} removed{why}"
                self._change(side == "request", "enum-value-removed", at, detail, where, after.enum_at)
        for canon, (value, at) in new.items():
            if canon not in old:
                why = " (clients may receive it)" if side == "response" else ""
                self._change(
                    side == "response", "enum-value-added", at, f"value {value!r} added{why}", where, at
                )

    def _properties(self, before: Node, after: Node, where: Where, side: Side, depth: int) -> None:
        response = side == "response"
        for name, parts in before.properties.items():
            inner = where.child(name)
            if name not in after.properties:
                why = " (clients read it)" if response else ""
                at = after.properties_at or after.pointer
                self._change(response, "property-removed", parts[0].pointer, f"removed{why}", inner, at)
                continue
            now = after.properties[name]
            self._parts(parts, now, inner, side, depth)
            if name in before.required and name not in after.required:
                why = " (clients may not get it)" if response else ""
                at = now[0].pointer
                self._change(response, "property-now-optional", at, f"no longer required{why}", inner, at)
        for name, parts in after.properties.items():
            if name in before.properties:
                continue
            required = name in after.required
            detail = "added as required (clients must send it)" if required and not response else "added"
            at = parts[0].pointer
            self._change(required and not response, "property-added", at, detail, where.child(name), at)
        for name, at in after.required.items():
            if name in before.required or (name in after.properties and name not in before.properties):
                continue  # a required field that is new was reported as added
            why = " (clients must send it)" if not response else ""
            self._change(
                not response, "property-now-required", at, f"now required{why}", where.child(name), at
            )

    def _pairs(self, before: list[Part] | None, after: list[Part] | None) -> list[tuple[Part, Part]]:
        """``anyOf``/``oneOf`` members to compare: by position, else by the types they admit."""
        if not before or not after:
            return []
        if len(before) == len(after):
            return list(zip(before, after, strict=True))
        kinds = [self.new.node([member]).types for member in after]
        return [
            (member, after[kinds.index(self.old.node([member]).types)])
            for member in before
            if self.old.node([member]).types in kinds
        ]
