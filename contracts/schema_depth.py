"""How deep a value a schema accepts can nest, read off the schema itself.

A body the closed validator accepts is no deeper than its closed schema allows: when that bound is
known and within the limit, the level walk that refuses deep bodies (:func:`contracts.har.check_depth`)
has nothing to find and is skipped (it cost as much as a third of the checks on a real body).

The bound is an upper bound, sound by construction: every keyword a schema holds only narrows what it
accepts, so a keyword not understood here is left out (the bound can only grow); only the keywords
that *close* a place (``additionalProperties: false``, ``items``, ``type``, ``enum``/``const``) make
it finite. A recursive ``$ref``, a free-form place or anything deeper than ``limit`` is unbounded
(None): the walk stays.
"""

from __future__ import annotations

from typing import Any

from contracts.schemas import resolve_pointer

_CONTAINERS = frozenset({"object", "array"})
_ALL_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})


_BUDGET = 10_000
"""Conjunctions bounded at most per schema: branches multiply, and a spec is the user's input."""


class _Unbounded(Exception):
    """Raised as soon as a place admits values of any depth (or deeper than the limit)."""


def depth_bound(schema: Any, document: Any, limit: int) -> int | None:
    """The deepest nesting of objects and arrays (a scalar 0, ``{}`` 1, ``{"a": []}`` 2) of any value
    ``schema`` accepts, its local ``$ref`` resolved in ``document``; None when unbounded or over ``limit``."""
    try:
        return _Bounder(document, limit).bound([(schema, ())], 0)
    except _Unbounded:
        return None
    except RecursionError:  # a schema too intricate to bound is simply not bounded
        return None


def _literal_depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_literal_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_literal_depth(v) for v in value), default=0)
    return 0


class _Bounder:
    def __init__(self, document: Any, limit: int) -> None:
        self.document = document
        self.limit = limit
        self.budget = _BUDGET
        self.known: dict[tuple[tuple[int, ...], int], tuple[int, list[Any]]] = {}

    def bound(self, atoms: list[tuple[Any, tuple[str, ...]]], level: int) -> int:
        """The bound of a value valid under every schema of ``atoms`` (a conjunction), met at
        ``level``, each schema with the ``$ref`` chain above it (a ref met again is a recursion); an
        ``anyOf``/``oneOf`` bounds as its deepest branch (each with the rest of the conjunction)."""
        key = (tuple(id(schema) for schema, _ in atoms), level)
        known = self.known.get(key)
        if known is not None:  # the same schemas at the same level bound alike, whatever the chain
            return known[0]
        self.budget -= 1
        if level > self.limit or self.budget < 0:
            raise _Unbounded
        found = self._bound_expanded(atoms, level)
        self.known[key] = (found, atoms)  # the atoms kept alive, so their ids are not reused
        return found

    def _bound_expanded(self, atoms: list[tuple[Any, tuple[str, ...]]], level: int) -> int:
        flat: list[tuple[dict[str, Any], tuple[str, ...]]] = []
        for atom, chain in atoms:
            more = self._flatten([atom], chain)
            if more is None:
                return 0
            flat.extend(more)
        for position, (atom, chain) in enumerate(flat):
            for keyword in ("anyOf", "oneOf"):
                branches = atom.get(keyword)
                if isinstance(branches, list):
                    rest = flat[:position] + flat[position + 1 :]
                    without = {k: v for k, v in atom.items() if k != keyword}
                    return max(
                        (self.bound([*rest, (without, chain), (b, chain)], level) for b in branches),
                        default=0,
                    )
        return self._bound_flat(flat, level)

    def _flatten(
        self, schemas: list[Any], refs: tuple[str, ...]
    ) -> list[tuple[dict[str, Any], tuple[str, ...]]] | None:
        """Every schema object that applies, through ``$ref`` and ``allOf`` (None when a ``false``
        does); each with the ``$ref`` chain that reached it."""
        out: list[tuple[dict[str, Any], tuple[str, ...]]] = []
        stack = [(s, refs) for s in reversed(schemas)]
        while stack:
            node, chain = stack.pop()
            if node is False:
                return None
            if not isinstance(node, dict):
                continue  # `true` (or not a schema): accepts anything, narrows nothing
            ref = node.get("$ref")
            if isinstance(ref, str):
                if ref in chain or not ref.startswith("#"):
                    raise _Unbounded  # recursive (or not ours to resolve)
                try:
                    target = resolve_pointer(self.document, ref[1:])
                except (KeyError, IndexError, ValueError):
                    raise _Unbounded from None
                stack.append((target, (*chain, ref)))
            parts = node.get("allOf")
            if isinstance(parts, list):
                stack.extend((p, chain) for p in reversed(parts))
            out.append(({k: v for k, v in node.items() if k not in ("$ref", "allOf")}, chain))
        return out

    def _bound_flat(self, atoms: list[tuple[dict[str, Any], tuple[str, ...]]], level: int) -> int:
        types = set(_ALL_TYPES)
        literal: int | None = None
        for atom, _ in atoms:
            kind = atom.get("type")
            if isinstance(kind, str):
                types &= {kind}
            elif isinstance(kind, list):
                types &= {k for k in kind if isinstance(k, str)}
            for key in ("enum", "const"):
                if key in atom:
                    values = atom[key] if key == "enum" and isinstance(atom[key], list) else [atom[key]]
                    depth = max((_literal_depth(v) for v in values), default=0)
                    literal = depth if literal is None else min(literal, depth)
        if literal is not None or not types & _CONTAINERS:
            return 0 if literal is None else literal
        found = 0
        if "object" in types:
            found = max(found, 1 + self._members(atoms, level + 1))
        if "array" in types:
            found = max(found, 1 + self._items(atoms, level + 1))
        return found

    def _members(self, atoms: list[tuple[dict[str, Any], tuple[str, ...]]], level: int) -> int:
        """The bound of any member value of an object valid under every atom."""
        closers = [
            a for a, _ in atoms if a.get("additionalProperties") is False and not a.get("patternProperties")
        ]
        names: set[str] = set()
        for atom, _ in atoms:
            props = atom.get("properties")
            if isinstance(props, dict):
                names |= set(props)
        if closers:
            for closer in closers:
                props = closer.get("properties")
                names &= set(props) if isinstance(props, dict) else set()
            candidates: list[str | None] = [*sorted(names)]
        else:
            candidates = [*sorted(names), None]  # None: a name no atom declares
        found = 0
        for name in candidates:
            constraints: list[tuple[Any, tuple[str, ...]]] = []
            refused = False
            for atom, chain in atoms:
                props = atom.get("properties")
                if name is not None and isinstance(props, dict) and name in props:
                    constraints.append((props[name], chain))
                elif atom.get("patternProperties"):
                    continue  # a pattern may take the name: this atom is left out (bound only grows)
                elif atom.get("additionalProperties") is False:
                    refused = True
                elif isinstance(atom.get("additionalProperties"), dict):
                    constraints.append((atom["additionalProperties"], chain))
            if refused:
                continue
            if not constraints:
                raise _Unbounded  # a free-form member
            found = max(found, self.bound(constraints, level))
        return found

    def _items(self, atoms: list[tuple[dict[str, Any], tuple[str, ...]]], level: int) -> int:
        """The bound of any item of an array valid under every atom."""
        constraints = [
            (atom["items"], chain)
            for atom, chain in atoms
            if "items" in atom and not atom.get("prefixItems") and isinstance(atom["items"], (dict, bool))
        ]
        if any(atom.get("maxItems") == 0 for atom, _ in atoms):
            return 0
        if not constraints:
            raise _Unbounded  # items of any shape
        return self.bound(constraints, level)
