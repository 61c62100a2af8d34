"""What the mock reads from the spec about each operation, compiled once: nothing here names an API fact.

The error facts (docs/spec-conventions.md, "Error facts") say which code answers an unknown id
(``x-not-found-code``), a value failing one keyword (``x-constraint-codes``) or a duplicate
(``x-unique``); the mock extensions ("Mock extensions") say which collection an id names
(``x-collection``), which named behaviour and business rules an operation has (``x-behaviour``,
``x-rules``) and which enum values play a role in those rules (``x-value-roles``). Collections and
their nesting are read from the path templates: ``/targetGroups/{targetGroupId}/targets/{targetId}``
says that ``targetGroupId`` names a target group and that targets belong to one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from contracts.checks._schemas import compile_schema
from contracts.error_facts import REQUIRED, BodySite, Rule
from contracts.spec import Operation, Spec, merged

PARAM = re.compile(r"^\{(.+)\}$")
"""On a DELETE: the record stays, readable, with this boolean property false (docs/spec-conventions.md)."""
COLLECTION_KEY = "x-collection"
"""On a parameter: the collection its id names, where the path does not say (docs/spec-conventions.md)."""
MAX_SCHEMA_DEPTH = 12
"""Request bodies nest a few levels (group → targets → defaultValues); deeper walks are cycles."""


class MockBug(AssertionError):
    """The mock asked for a fact its spec does not state (an operation without the rule it applies)."""


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


@dataclass(frozen=True)
class Collections:
    """The resource collections of the spec, from its path templates.

    ``by_param``: id parameter → collection (the literal segment before ``/{param}`` on a path whose
    prefix is itself a path of the spec: ``/v3/targetGroups`` + ``/{targetGroupId}``).
    ``parent``: collection → the collection it is nested under (``targets`` under ``targetGroups``).
    ``id_param``: collection → its canonical id parameter, which is also the field a child holds.
    """

    by_param: dict[str, str] = field(default_factory=dict)
    parent: dict[str, str] = field(default_factory=dict)
    id_param: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, spec: Spec) -> Collections:
        found = cls()
        paths = {op.path.rstrip("/") for op in spec.operations}
        for path in sorted(paths, key=len):
            parts = _segments(path)
            for index in range(1, len(parts)):
                param = PARAM.match(parts[index])
                literal = parts[index - 1]
                if param and not PARAM.match(literal) and "/" + "/".join(parts[:index]) in paths:
                    found.by_param.setdefault(param.group(1), literal)
                    found.id_param.setdefault(literal, param.group(1))
        for op in spec.operations:
            for declared in op.params:
                if isinstance(declared.raw.get(COLLECTION_KEY), str):
                    found.by_param.setdefault(declared.name, declared.raw[COLLECTION_KEY])
        for path in paths:
            parts = _segments(path)
            for index in range(2, len(parts)):
                param = PARAM.match(parts[index - 1])
                if param and param.group(1) in found.by_param and parts[index] in found.by_param.values():
                    found.parent.setdefault(parts[index], found.by_param[param.group(1)])
        return found


@dataclass(frozen=True)
class Lookup:
    """A parameter naming a resource: unknown (or not the parent's) → ``code``."""

    name: str
    location: str
    collection: str
    code: int
    parent: str | None
    """The earlier parameter naming the collection this one is nested under (its id must match)."""


@dataclass(frozen=True)
class Coded:
    """A value at ``where`` (property names, ``*`` for every array item) failing ``keyword`` → ``code``."""

    where: tuple[str, ...]
    keyword: str
    code: int
    validator: Any


def values_at(node: Any, where: tuple[str, ...]) -> Iterator[Any]:
    """The values of ``node`` at ``where`` (``*`` = each item of an array)."""
    if not where:
        yield node
        return
    head, rest = where[0], where[1:]
    if head == "*":
        for item in node if isinstance(node, list) else ():
            yield from values_at(item, rest)
    elif isinstance(node, dict) and head in node:
        yield from values_at(node[head], rest)


class Facts:
    """The facts of one operation the mock acts on."""

    def __init__(
        self,
        spec: Spec,
        op: Operation,
        collections: Collections,
        roles: dict[str, dict[str, tuple[Any, ...]]] | None = None,
    ) -> None:
        self.spec, self.op = spec, op
        self.roles = roles if roles is not None else value_roles(spec)
        self.lookups: list[Lookup] = []
        self.param_codes: list[tuple[str, str, Coded]] = []
        self.body_codes: list[Coded] = []
        self.missing_codes: list[tuple[tuple[str, ...], int]] = []
        """``{"required": code}`` on a property: the objects at its place that lack it get the code."""
        self.unique: list[tuple[str, int]] = []
        facts = spec.error_facts.of(op)
        self.rules: dict[str, Rule] = {rule.name: rule for rule in facts.rules}
        """The operation's ``x-rules`` by name, as :mod:`contracts.error_facts` read and checked them."""
        self.behaviour: str | None = op.raw.get("x-behaviour")
        self.soft_delete: str | None = op.soft_delete
        self.param_names = frozenset(p.name for p in op.params)
        self._defaults: dict[tuple[str, ...], dict[str, Any]] = {}
        seen: list[tuple[str, str]] = []
        for param in facts.parameters:
            name, location, schema = param.name, param.location, param.schema
            for constraint in param.constraints:
                if constraint.keyword in schema:
                    check = compile_schema(spec, {constraint.keyword: schema[constraint.keyword]})
                    self.param_codes.append(
                        (name, location, Coded((), constraint.keyword, constraint.code, check))
                    )
            collection = collections.by_param.get(name)
            if param.not_found is not None and collection is not None:
                above = collections.parent.get(collection)
                parent = next((p for p, c in reversed(seen) if c == above), None)
                self.lookups.append(Lookup(name, location, collection, param.not_found.code, parent))
            if collection is not None and location == "path":
                seen.append((name, collection))
        self.writes: str | None = self._written(op, collections)
        self.self_param = next((p for p, c in reversed(seen) if c == self.writes), None)
        for site in facts.body:
            self._site(site)

    @staticmethod
    def _written(op: Operation, collections: Collections) -> str | None:
        """The collection a write adds to (``POST …/targets``) or changes (``PUT …/{targetGroupId}``)."""
        last = _segments(op.path)[-1]
        param = PARAM.match(last)
        if param:
            return collections.by_param.get(param.group(1))
        return last if last in collections.id_param else None

    def _site(self, site: BodySite) -> None:
        for constraint in site.constraints:
            if constraint.keyword == REQUIRED and site.where:
                self.missing_codes.append((site.where, constraint.code))
            elif constraint.keyword in site.schema:
                check = compile_schema(self.spec, {constraint.keyword: site.schema[constraint.keyword]})
                self.body_codes.append(Coded(site.where, constraint.keyword, constraint.code, check))
        if site.unique is not None and len(site.where) == 1:
            self.unique.append((site.where[0], site.unique.code))

    # -- what behaviours ask -----------------------------------------------------------------
    def code(self, rule: str) -> int:
        """The code the spec gives ``rule`` on this operation (``x-rules``)."""
        entry = self.rules.get(rule)
        if entry is None or entry.code is None:
            raise MockBug(f"{self.op.operation_id} applies rule {rule!r} but its x-rules give it no code")
        return entry.code

    def arg(self, rule: str, name: str) -> Any:
        """An argument of ``rule`` on this operation (``{"rule": ..., "<name>": ...}`` in ``x-rules``)."""
        entry = self.rules.get(rule)
        if entry is None or name not in entry.args:
            raise MockBug(f"{self.op.operation_id}: x-rules gives rule {rule!r} no {name!r}")
        return entry.args[name]

    def defaults(self, *where: str) -> dict[str, Any]:
        """The ``default`` of each property of the request-body object at ``where`` (array items implied)."""
        if where not in self._defaults:
            found: dict[str, Any] = {}
            body = self.op.request_schema()
            if body is not None:
                _collect_defaults(self.spec, body, list(where), found, 0)
            self._defaults[where] = found
        return self._defaults[where]


def _collect_defaults(spec: Spec, schema: Any, where: list[str], found: dict[str, Any], depth: int) -> None:
    schema = spec.deref(schema)
    if not isinstance(schema, dict) or depth > MAX_SCHEMA_DEPTH:
        return
    for part in (*schema.get("allOf", ()), *schema.get("oneOf", ()), *schema.get("anyOf", ())):
        _collect_defaults(spec, part, where, found, depth + 1)
    if "items" in schema:
        _collect_defaults(spec, schema["items"], where, found, depth + 1)
    properties = schema.get("properties") or {}
    if where:
        if where[0] in properties:
            _collect_defaults(spec, properties[where[0]], where[1:], found, depth + 1)
        return
    for name, sub in properties.items():
        sub = merged(spec, sub)
        if "default" in sub:
            found.setdefault(name, sub["default"])


def value_roles(spec: Spec) -> dict[str, dict[str, tuple[Any, ...]]]:
    """``x-value-roles`` of every enum component: component → role → its values."""
    found: dict[str, dict[str, tuple[Any, ...]]] = {}
    for name, schema in (spec.raw.get("components", {}).get("schemas") or {}).items():
        roles = schema.get("x-value-roles") if isinstance(schema, dict) else None
        if isinstance(roles, dict):
            found[name] = {role: tuple(values) for role, values in roles.items()}
    return found
