"""The spec's error facts, read once: which request earns which catalogued code (``spec.error_facts``).

docs/spec-conventions.md ("Error facts", "Mock extensions") defines the extensions read here:
``components["x-error-roles"]`` (the code of each generic role), ``x-not-found-code`` and
``x-constraint-codes`` on a parameter, ``x-constraint-codes`` (``required`` included) and
``x-unique`` on a request-body schema, and the codes of an operation's ``x-rules``. The mock, the
targeted phase and the schemathesis hooks all ask this layer; none reads the extensions itself.
Every fact carries the JSON pointer of where the spec states it, and a malformed extension is one
:class:`~contracts.errors.SpecError` naming that pointer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contracts.errors import SpecError
from contracts.schemas import JSON_MEDIA, join_pointer
from contracts.spec import Parameter, merged
from contracts.types import Pointer

if TYPE_CHECKING:
    from contracts.spec import Operation, Spec

ROLES_KEY = "x-error-roles"
NOT_FOUND_KEY = "x-not-found-code"
CONSTRAINT_KEY = "x-constraint-codes"
UNIQUE_KEY = "x-unique"
RULES_KEY = "x-rules"
ROLES_POINTER = join_pointer("/components", ROLES_KEY)
INVALID_INPUT = "invalid-input"
"""Role: a request failing its schema where no more specific code is declared."""
UNAUTHENTICATED = "unauthenticated"
"""Role: no or wrong credentials."""
FORBIDDEN = "forbidden"
"""Role: a credential without access."""
REQUIRED = "required"
"""In ``x-constraint-codes`` of a body property: the property missing from its object."""
ITEMS = "*"
"""In a body site's ``where``: every item of an array."""
MAX_BODY_DEPTH = 12
"""Property levels walked into a request body; request bodies nest a few, deeper means a cycle."""


@dataclass(frozen=True)
class Coded:
    """A code and where the spec states it."""

    code: int
    pointer: Pointer


@dataclass(frozen=True)
class Constraint:
    """``x-constraint-codes``: a value failing ``keyword`` of ``schema`` earns ``code``."""

    keyword: str
    code: int
    pointer: Pointer
    """``…/x-constraint-codes/<keyword>``."""


@dataclass(frozen=True)
class ParameterFacts(Parameter):
    """A parameter of an operation (:class:`~contracts.spec.Parameter`: its ``pointer`` is where its
    object is written) with its error facts (every parameter has them, maybe none)."""

    not_found: Coded | None
    constraints: tuple[Constraint, ...]

    def code(self, keyword: str) -> int | None:
        """The code of a value failing ``keyword`` (None: no specific code)."""
        return next((c.code for c in self.constraints if c.keyword == keyword), None)


@dataclass(frozen=True)
class BodySite:
    """A place in the request body whose schema states error facts."""

    where: tuple[str, ...]
    """Property names from the body's root, :data:`ITEMS` for each item of an array."""
    pointer: Pointer
    """Where the schema stating the facts is written."""
    schema: dict[str, Any]
    """That schema with its ``$ref`` target below it (the keywords the constraints name)."""
    constraints: tuple[Constraint, ...]
    unique: Coded | None
    """``x-unique``: a value another resource of the collection has earns this code."""

    def code(self, keyword: str) -> int | None:
        return next((c.code for c in self.constraints if c.keyword == keyword), None)


@dataclass(frozen=True)
class Rule:
    """One entry of an operation's ``x-rules``: a named business rule, its code (if it refuses) and args."""

    name: str
    code: int | None
    pointer: Pointer
    """``…/x-rules/<index>``."""
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OperationFacts:
    """Every error fact of one operation."""

    parameters: tuple[ParameterFacts, ...]
    body: tuple[BodySite, ...]
    rules: tuple[Rule, ...]
    body_pointer: Pointer
    """Where the JSON request body's schema is written (its request body's component, if a ``$ref``)."""

    def parameter(self, name: str, location: str) -> ParameterFacts | None:
        return next((p for p in self.parameters if p.name == name and p.location == location), None)

    def body_at(self, pointer: Pointer) -> BodySite | None:
        """The body site whose facts are written at ``pointer`` (None: nothing stated there)."""
        return next((s for s in self.body if s.pointer == pointer), None)

    @property
    def rule_codes(self) -> tuple[int, ...]:
        return tuple(r.code for r in self.rules if r.code is not None)

    @property
    def business_rule_codes(self) -> frozenset[int]:
        """Codes with which a schema-valid request may be refused: the rules' codes, ``x-unique`` in the
        body and ``x-not-found-code`` on a query parameter (an id the request names may not exist)."""
        codes = set(self.rule_codes)
        codes |= {s.unique.code for s in self.body if s.unique is not None}
        codes |= {p.not_found.code for p in self.parameters if p.location == "query" and p.not_found}
        return frozenset(codes)


class ErrorFacts:
    """The error facts of one spec (``spec.error_facts``), every operation's read and checked at once."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.roles: Mapping[str, Coded] = _roles(spec)
        """Role name → its catalogued code (only the roles the spec names)."""
        self._of = {(op.method, op.path): _operation_facts(spec, op) for op in spec.operations}

    def role(self, name: str) -> int:
        """The catalogued code of role ``name``; SpecError when the spec names none."""
        found = self.roles.get(name)
        if found is None:
            raise SpecError(
                f'{ROLES_POINTER}: the spec has no catalogued components["{ROLES_KEY}"]["{name}"] code',
                hint="docs/spec-conventions.md, 'Error facts'",
            )
        return found.code

    def of(self, op: Operation) -> OperationFacts:
        """The facts of ``op`` (by method and path: an operationId may repeat in a spec being linted)."""
        return self._of[(op.method, op.path)]


# -- reading ------------------------------------------------------------------------------------


def _is_code(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _malformed(pointer: Pointer, what: str, value: Any) -> SpecError:
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return SpecError(f"{pointer}: {what}, not {shown}", hint="docs/spec-conventions.md, 'Error facts'")


def _roles(spec: Spec) -> dict[str, Coded]:
    declared = _obj(spec.raw.get("components")).get(ROLES_KEY, {})
    if not isinstance(declared, dict):
        raise _malformed(ROLES_POINTER, "must map role names to catalogued codes", declared)
    roles: dict[str, Coded] = {}
    for name, code in declared.items():
        pointer = join_pointer(ROLES_POINTER, name)
        if not _is_code(code) or code not in spec.error_catalogue:
            raise _malformed(pointer, "must be a code of the catalogue (components.x-error-codes)", code)
        roles[name] = Coded(code, pointer)
    return roles


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _code(node: dict[str, Any], key: str, pointer: Pointer) -> Coded | None:
    if key not in node:
        return None
    where = join_pointer(pointer, key)
    if not _is_code(node[key]):
        raise _malformed(where, f"{key} must be an error code (an integer)", node[key])
    return Coded(node[key], where)


def _constraints(node: dict[str, Any], pointer: Pointer) -> tuple[Constraint, ...]:
    if CONSTRAINT_KEY not in node:
        return ()
    where = join_pointer(pointer, CONSTRAINT_KEY)
    declared = node[CONSTRAINT_KEY]
    if not isinstance(declared, dict):
        raise _malformed(where, f"{CONSTRAINT_KEY} must map JSON Schema keywords to error codes", declared)
    found = []
    for keyword, code in declared.items():
        if not _is_code(code):
            raise _malformed(join_pointer(where, keyword), "must be an error code (an integer)", code)
        found.append(Constraint(keyword, code, join_pointer(where, keyword)))
    return tuple(found)


def _parameter_facts(spec: Spec, op: Operation) -> tuple[ParameterFacts, ...]:
    found = []
    for param in op.params:
        constraints = _constraints(param.raw, param.pointer)
        if not constraints:  # "on a parameter or its schema"
            raw_schema = param.raw.get("schema", {})
            for part, at in spec.schemas.parts([(raw_schema, join_pointer(param.pointer, "schema"))]):
                constraints = constraints or _constraints(part, at)
        not_found = _code(param.raw, NOT_FOUND_KEY, param.pointer)
        found.append(ParameterFacts.extending(param, not_found=not_found, constraints=constraints))
    return tuple(found)


def _body_pointer(op: Operation) -> Pointer:
    body = op.raw.get("requestBody", {})
    base = str(body["$ref"])[1:] if isinstance(body, dict) and isinstance(body.get("$ref"), str) else None
    return join_pointer(base or join_pointer(op.pointer, "requestBody"), "content", JSON_MEDIA, "schema")


def _body_sites(spec: Spec, op: Operation, root: Pointer) -> tuple[BodySite, ...]:
    schema = op.request_schema()
    if not isinstance(schema, dict):
        return ()
    sites: list[BodySite] = []
    stack: list[tuple[Any, tuple[str, ...], Pointer]] = [(schema, (), root)]
    while stack:
        node, where, pointer = stack.pop()
        if len(where) > MAX_BODY_DEPTH:
            continue
        below: list[tuple[Any, tuple[str, ...], Pointer]] = []
        for part, at in spec.schemas.parts([(node, pointer)]):
            constraints, unique = _constraints(part, at), _code(part, UNIQUE_KEY, at)
            if constraints or unique is not None:
                sites.append(BodySite(where, at, merged(spec, part), constraints, unique))
            for name, sub in _obj(part.get("properties")).items():
                below.append((sub, (*where, name), join_pointer(at, "properties", name)))
            if isinstance(part.get("items"), dict):
                below.append((part["items"], (*where, ITEMS), join_pointer(at, "items")))
        stack.extend(reversed(below))
    return tuple(sites)


def _rules(op: Operation) -> tuple[Rule, ...]:
    if RULES_KEY not in op.raw:
        return ()
    pointer = join_pointer(op.pointer, RULES_KEY)
    declared = op.raw[RULES_KEY]
    if not isinstance(declared, list):
        raise _malformed(pointer, f"{RULES_KEY} must be a list of {{rule, code?}} objects", declared)
    rules = []
    for index, entry in enumerate(declared):
        where = join_pointer(pointer, index)
        if not isinstance(entry, dict) or not isinstance(entry.get("rule"), str):
            raise _malformed(where, "an x-rules entry must be an object naming its 'rule'", entry)
        code = _code(entry, "code", where)
        args = {k: v for k, v in entry.items() if k not in ("rule", "code")}
        rules.append(Rule(entry["rule"], None if code is None else code.code, where, args))
    return tuple(rules)


def _operation_facts(spec: Spec, op: Operation) -> OperationFacts:
    root = _body_pointer(op)
    return OperationFacts(_parameter_facts(spec, op), _body_sites(spec, op, root), _rules(op), root)
