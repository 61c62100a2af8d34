"""Schemas as a client meets them: ``$ref`` followed and ``allOf`` merged into one :class:`Node`.

Like oasdiff's flatten, a schema and all its ``allOf`` parts (and a ``$ref`` with sibling
keywords) are one conjunction: types and enums intersect, properties and required names unite,
and a property written in several parts is the conjunction of those parts. So extracting a
component, inlining a ``$ref``, splitting a schema into parts or renaming a component yields the
same node. A ``$ref`` already being expanded is skipped (a cycle adds nothing), and a chain longer
than :data:`MAX_CHAIN` is refused rather than followed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from contracts.errors import SpecError
from contracts.schemas import conjunction, local_target
from contracts.spec import Spec, join_pointer

MAX_CHAIN = 64
"""``$ref``/``allOf`` levels followed from one schema before the spec is refused."""
JSON_TYPES = frozenset({"null", "boolean", "object", "array", "number", "string", "integer"})
NOT_CONSTRAINTS = frozenset(
    {"$ref", "allOf", "description", "title", "summary", "example", "examples", "default", "$comment"}
)
"""Keywords that say nothing about which values are valid (a part with only these adds nothing)."""
Types = frozenset[str] | None
"""The JSON types a schema admits; ``None`` is any type."""


@dataclass(frozen=True)
class Part:
    """A schema as written: where it is, and its JSON."""

    pointer: str
    raw: Any


@dataclass
class Node:
    """The merged view of one or more parts; ``key`` (the parts' pointers) is its identity."""

    key: tuple[str, ...]
    pointer: str
    types: Types = None
    types_at: str = ""
    enum: dict[str, tuple[Any, str]] | None = None
    """canonical JSON of each value → (value, pointer where written); None: not an enum."""
    enum_at: str = ""
    properties: dict[str, list[Part]] = field(default_factory=dict)
    properties_at: str = ""
    """Where the first part with ``properties`` writes them (where NEW shows a removed field)."""
    required: dict[str, str] = field(default_factory=dict)
    items: list[Part] = field(default_factory=list)
    additional: list[Part] = field(default_factory=list)
    members: dict[str, list[Part]] = field(default_factory=dict)
    """``anyOf`` / ``oneOf`` → their members."""


def meet(a: Types, b: Types) -> Types:
    """Types both admit (an integer is a number)."""
    if a is None or b is None:
        return b if a is None else a
    both = a & b
    if ("integer" in a and "number" in b) or ("number" in a and "integer" in b):
        both |= {"integer"}
    return frozenset(both)


def covers(big: Types, small: Types) -> bool:
    """Every value of ``small`` is a value of ``big``."""
    if big is None:
        return True
    if small is None:
        return False
    return all(k in big or (k == "integer" and "number" in big) for k in small)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def expect_object(value: Any, pointer: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SpecError(f"{pointer or '/'}: {what} must be an object, not {type(value).__name__}")
    return value


class Resolver:
    """Builds (and caches) the nodes of one spec."""

    def __init__(self, spec: Spec) -> None:
        self.raw = spec.raw
        self._nodes: dict[tuple[str, ...], Node] = {}
        self._asked: dict[tuple[str, ...], Node] = {}
        """The same parts (pointers of one document) always make the same node."""
        self._building: set[tuple[str, ...]] = set()

    def target(self, ref: Any, pointer: str) -> tuple[str, Any]:
        """(pointer, value) a local ``$ref`` names; SpecError (exit 2) naming ``pointer`` otherwise."""
        return local_target(self.raw, ref, pointer)

    def deref(self, pointer: str, value: Any, what: str) -> tuple[str, dict[str, Any]]:
        """A parameter, body or response object with its ``$ref`` chain followed."""
        seen: set[str] = set()
        while isinstance(value, dict) and "$ref" in value:
            if value["$ref"] in seen or len(seen) >= MAX_CHAIN:
                raise SpecError(f"{pointer}/$ref: circular reference {value['$ref']!r}")
            seen.add(value["$ref"])
            pointer, value = self.target(value["$ref"], pointer)
        return pointer, expect_object(value, pointer, what)

    def node(self, parts: Sequence[Part]) -> Node:
        asked = tuple(part.pointer for part in parts)
        if asked not in self._asked:
            self._asked[asked] = self._node(parts)
        return self._asked[asked]

    def _node(self, parts: Sequence[Part]) -> Node:
        leaves: list[Part] = []
        for part in parts:
            self._expand(part, leaves)
        where = parts[0].pointer if parts else ""
        # a schema that admits anything is keyed by where it is written, so it is reported there
        key = tuple(dict.fromkeys(leaf.pointer for leaf in leaves)) or (f"{where} (any)",)
        if key not in self._nodes:
            self._nodes[key] = self._build(key, leaves, where)
        return self._nodes[key]

    def _expand(self, part: Part, out: list[Part]) -> None:
        """The parts of ``part``'s conjunction that constrain values (:func:`contracts.schemas.conjunction`)."""
        for pointer, raw in conjunction(self.raw, part.raw, part.pointer, max_depth=MAX_CHAIN):
            if raw is False or (
                isinstance(raw, dict)
                and any(not w.startswith("x-") and w not in NOT_CONSTRAINTS for w in raw)
            ):
                out.append(Part(pointer, raw))

    def _build(self, key: tuple[str, ...], leaves: list[Part], pointer: str) -> Node:
        node = Node(key, leaves[0].pointer if leaves else pointer)
        if len(self._building) > MAX_CHAIN:
            raise SpecError(f"{node.pointer}: anyOf/oneOf nested more than {MAX_CHAIN} levels deep")
        self._building.add(key)
        try:
            for leaf in leaves:
                self._add(node, leaf)
        finally:
            self._building.discard(key)
        return node

    def _add(self, node: Node, leaf: Part) -> None:
        at, raw = leaf.pointer, leaf.raw
        if raw is False:
            node.types, node.types_at = frozenset(), at
            return
        kind = raw.get("type")
        if kind is not None:
            kinds = kind if isinstance(kind, list) else [kind]
            if not all(isinstance(k, str) and k in JSON_TYPES for k in kinds):
                raise SpecError(f"{at}/type: {kind!r} is not a JSON type or list of them")
            found = frozenset(kinds) | ({"null"} if raw.get("nullable") is True else set())
            node.types, node.types_at = meet(node.types, found), at
        for word in ("anyOf", "oneOf"):
            if word in raw:
                members = raw[word]
                if not isinstance(members, list):
                    raise SpecError(f"{at}/{word}: must be a list")
                parts = [Part(join_pointer(at, word, i), m) for i, m in enumerate(members)]
                node.members.setdefault(word, []).extend(parts)
                union: Types = frozenset()
                for member in parts:
                    kinds_of = self._types_of(member)
                    union = None if union is None or kinds_of is None else union | kinds_of
                if union is not None or kind is None:
                    node.types = meet(node.types, union)
                    node.types_at = node.types_at or at
        self._add_enum(node, at, raw)
        props = expect_object(raw.get("properties", {}), f"{at}/properties", "properties")
        if props and not node.properties_at:
            node.properties_at = f"{at}/properties"
        for name, sub in props.items():
            node.properties.setdefault(name, []).append(Part(join_pointer(at, "properties", name), sub))
        required = raw.get("required", [])
        if not isinstance(required, list) or not all(isinstance(n, str) for n in required):
            raise SpecError(f"{at}/required: must be a list of names")
        for index, name in enumerate(required):
            node.required.setdefault(name, join_pointer(at, "required", index))
        for word, into in (("items", node.items), ("additionalProperties", node.additional)):
            if isinstance(raw.get(word), dict):
                into.append(Part(join_pointer(at, word), raw[word]))

    def _types_of(self, part: Part) -> Types:
        """The types of an ``anyOf``/``oneOf`` member (any, when it leads back to a node being built)."""
        leaves: list[Part] = []
        self._expand(part, leaves)
        key = tuple(dict.fromkeys(leaf.pointer for leaf in leaves))
        if key in self._building:
            return None
        return self.node([part]).types

    @staticmethod
    def _add_enum(node: Node, at: str, raw: dict[str, Any]) -> None:
        if "const" in raw:
            values: dict[str, tuple[Any, str]] = {canonical(raw["const"]): (raw["const"], f"{at}/const")}
        elif "enum" in raw:
            if not isinstance(raw["enum"], list):
                raise SpecError(f"{at}/enum: must be a list")
            values = {}
            for index, value in enumerate(raw["enum"]):
                values.setdefault(canonical(value), (value, f"{at}/enum/{index}"))
        else:
            return
        if node.enum is None:
            node.enum, node.enum_at = values, at
        else:
            node.enum = {k: v for k, v in node.enum.items() if k in values}
