"""Rules about the error-fact and mock extensions (docs/spec-conventions.md, "Error facts", "Mock extensions").

Every extension is well-formed, and every code one names is catalogued and listed in the ``x-error-codes``
of each operation it applies to (a schema-level one: each operation whose parameters or body reach it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from contracts.errors import SpecError
from contracts.findings import Finding
from contracts.lint import finding, rule
from contracts.lint.rules import follow
from contracts.spec import SOFT_DELETE_KEY, SOFT_DELETE_SHAPE, Operation, Spec, escape_token, join_pointer

CODED = ("x-not-found-code", "x-unique")
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
MAX_DEPTH = 16


def _is_code(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _reached(
    spec: Spec, node: Any, pointer: str, seen: set[str], depth: int = 0
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, schema object) of every schema ``node`` reaches, each place once (``$ref`` followed)."""
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        yield pointer, node  # keywords beside a $ref belong to the referring place
        pointer, node = follow(spec, node, pointer)
    if not isinstance(node, dict) or pointer in seen or depth > MAX_DEPTH:
        return
    seen.add(pointer)
    yield pointer, node
    depth += 1
    for key in ("allOf", "oneOf", "anyOf", "prefixItems"):
        for index, part in enumerate(node.get(key) or []):
            yield from _reached(spec, part, f"{pointer}/{key}/{index}", seen, depth)
    for key in ("items", "not", "additionalProperties"):
        if isinstance(node.get(key), dict):
            yield from _reached(spec, node[key], f"{pointer}/{key}", seen, depth)
    for name, sub in (node.get("properties") or {}).items():
        yield from _reached(spec, sub, f"{pointer}/properties/{escape_token(name)}", seen, depth)


Place = tuple[str, dict[str, Any], dict[str, Any]]


def _places(op: Operation) -> list[Place]:
    """(pointer, node carrying extensions, its schema) for the parameters and body schemas of ``op``;
    worked out once per operation and shared by both rules (the body's walk is most of their cost)."""
    return op.spec.schemas.memo(("lint.extension-places", op.pointer), lambda: list(_find_places(op)))


def _find_places(op: Operation) -> Iterator[Place]:
    spec = op.spec
    for index, param in enumerate(op.raw.get("parameters") or []):
        where, resolved = follow(spec, param, join_pointer(op.pointer, "parameters", index))
        if isinstance(resolved, dict):
            schema = spec.deref(resolved.get("schema", {}))
            yield where, resolved, schema if isinstance(schema, dict) else {}
    body = op.raw.get("requestBody")
    if body is not None:
        where, resolved = follow(spec, body, join_pointer(op.pointer, "requestBody"))
        media = (
            (resolved.get("content") or {}).get("application/json") if isinstance(resolved, dict) else None
        )
        if isinstance(media, dict) and "schema" in media:
            base = join_pointer(where, "content", "application/json", "schema")
            for pointer, node in _reached(spec, media["schema"], base, set()):
                resolved_node = spec.deref(node) if "$ref" in node else node
                yield pointer, node, resolved_node if isinstance(resolved_node, dict) else {}


def _codes(node: dict[str, Any], pointer: str) -> Iterator[tuple[str, Any]]:
    """(pointer, code) of every code an extension on ``node`` names (malformed ones too)."""
    for key in CODED:
        if key in node:
            yield join_pointer(pointer, key), node[key]
    constraint = node.get("x-constraint-codes")
    if isinstance(constraint, dict):
        for keyword, code in constraint.items():
            yield join_pointer(pointer, "x-constraint-codes", keyword), code


def _op_codes(op: Operation) -> Iterator[tuple[str, Any]]:
    for pointer, node, _ in _places(op):
        yield from _codes(node, pointer)
    for index, entry in enumerate(op.raw.get("x-rules") or []):
        if isinstance(entry, dict) and "code" in entry:
            yield join_pointer(op.pointer, "x-rules", index, "code"), entry["code"]


@rule(hint="name a catalogued code that the operation lists in x-error-codes")
def extension_codes_listed(spec: Spec) -> Iterator[Finding]:
    """Every code an error-fact or mock extension names is catalogued and in the operation's x-error-codes."""
    catalogue = spec.error_catalogue
    for op in spec.operations:
        for pointer, code in _op_codes(op):
            if not _is_code(code):
                problem = f"names {code!r}, which is not an integer code"
            elif code not in catalogue:
                problem = f"names code {code}, which the catalogue lacks"
            elif code not in op.error_codes:
                problem = f"names code {code}, which {op.operation_id}'s x-error-codes does not list"
            else:
                continue
            yield finding(
                f"{op.operation_id}: {pointer} {problem}",
                pointer,
                operation=op.operation_id,
            )
    roles = spec.raw.get("components", {}).get("x-error-roles")
    for role, code in (roles if isinstance(roles, dict) else {}).items():
        if not _is_code(code) or code not in catalogue:
            yield finding(
                f"x-error-roles {role!r} names {code!r}, which the catalogue lacks",
                f"/components/x-error-roles/{role}",
            )


@rule(hint="see docs/spec-conventions.md, 'Error facts' and 'Mock extensions', for each extension's shape")
def extensions_well_formed(spec: Spec) -> Iterator[Finding]:
    """x-constraint-codes, x-collection, x-behaviour, x-rules, x-soft-delete and x-value-roles have their
    documented shape."""
    segments = {s for op in spec.operations for s in op.path.split("/") if s and not s.startswith("{")}
    for op in spec.operations:
        for pointer, message in _op_problems(op, segments):
            yield finding(f"{op.operation_id}: {message}", pointer, operation=op.operation_id)
    for name, schema in (spec.raw.get("components", {}).get("schemas") or {}).items():
        roles = schema.get("x-value-roles") if isinstance(schema, dict) else None
        if roles is None:
            continue
        pointer = f"/components/schemas/{name}/x-value-roles"
        values = schema.get("enum")
        if not isinstance(roles, dict) or not isinstance(values, list):
            yield finding(f"{name}: x-value-roles needs an enum and a role map", pointer)
            continue
        for role, members in roles.items():
            strays = [m for m in members if m not in values] if isinstance(members, list) else [members]
            if strays or not members:
                yield finding(
                    f"{name}: x-value-roles {role!r} must list values of the enum (not {strays or members!r})",
                    join_pointer(pointer, role),
                )


def _op_problems(op: Operation, segments: set[str]) -> Iterator[tuple[str, str]]:
    for pointer, node, schema in _places(op):
        constraint = node.get("x-constraint-codes")
        if constraint is not None and not isinstance(constraint, dict):
            yield join_pointer(pointer, "x-constraint-codes"), "x-constraint-codes must map keywords to codes"
        for keyword in constraint if isinstance(constraint, dict) else ():
            if keyword not in schema and keyword != "required":
                yield (
                    join_pointer(pointer, "x-constraint-codes", keyword),
                    f"x-constraint-codes names {keyword!r}, a keyword its schema does not have",
                )
        collection = node.get("x-collection")
        if collection is not None and collection not in segments:
            yield (
                join_pointer(pointer, "x-collection"),
                f"x-collection {collection!r} is no collection of the paths",
            )
    yield from _soft_delete_problems(op)
    behaviour = op.raw.get("x-behaviour")
    if behaviour is not None and not (isinstance(behaviour, str) and KEBAB.match(behaviour)):
        yield join_pointer(op.pointer, "x-behaviour"), f"x-behaviour {behaviour!r} is not a kebab-case name"
    rules = op.raw.get("x-rules")
    if rules is not None and not isinstance(rules, list):
        yield join_pointer(op.pointer, "x-rules"), "x-rules must be a list of {rule, code?} objects"
        return
    for index, entry in enumerate(rules or []):
        name = entry.get("rule") if isinstance(entry, dict) else None
        if not (isinstance(name, str) and KEBAB.match(name)):
            yield (
                join_pointer(op.pointer, "x-rules", index),
                "an x-rules entry needs a kebab-case 'rule' name",
            )


def _soft_delete_problems(op: Operation) -> Iterator[tuple[str, str]]:
    """The shape is :attr:`Operation.soft_delete`'s to judge; the named property must be a boolean one."""
    pointer = join_pointer(op.pointer, SOFT_DELETE_KEY)
    try:
        flag = op.soft_delete
    except SpecError:
        yield pointer, f"x-soft-delete {op.raw.get(SOFT_DELETE_KEY)!r:.60}: {SOFT_DELETE_SHAPE}"
        return
    if flag is not None and flag not in _boolean_properties(op.spec):
        yield pointer, f"x-soft-delete names {flag!r}, which no schema of the components declares a boolean"


def _boolean_properties(spec: Spec) -> set[str]:
    return {
        name
        for schema in (spec.raw.get("components", {}).get("schemas") or {}).values()
        if isinstance(schema, dict)
        for name, sub in (schema.get("properties") or {}).items()
        if isinstance(sub, dict) and sub.get("type") == "boolean"
    }
