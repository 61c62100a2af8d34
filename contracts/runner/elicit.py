"""The catalogue of a targeted phase: which request should earn which documented error, read off the spec.

Nothing here names an operation, a code or a value: each :class:`Probe` is derived from the spec's
error facts as ``spec.error_facts`` reads them (:mod:`contracts.error_facts`; docs/spec-conventions.md,
"Error facts" and "Elicitation recipes"):

- ``components.x-error-roles``: ``unauthenticated`` (no credentials, wrong credentials),
  ``forbidden`` (the no-access credential), ``invalid-input`` (a request failing its schema);
- ``x-not-found-code`` on a path parameter: that parameter names nothing;
- ``x-constraint-codes`` on a parameter or a request-body schema: a value failing that keyword;
- ``x-unique`` on a request-body property: the value of a resource that exists already;
- ``x-elicit.codes`` on an operation: a recipe for a business-rule code (a JSON patch on the
  operation's example request, parameters, headers, a request to send first);
- every value of every enum a request can carry, once.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from contracts.error_facts import FORBIDDEN, INVALID_INPUT, UNAUTHENTICATED, Coded, Constraint
from contracts.spec import Operation, Spec, join_pointer

UNKNOWN_ID = 987_654_321_987
"""An id no resource has (large, positive, within int64): what ``$unknown`` stands for."""
WRONG = "not-a-value"
"""A value of the wrong type or outside any enum, for parameters."""


@dataclass(frozen=True)
class Probe:
    """One request the spec says should be answered with ``code`` (``None``: any documented answer)."""

    operation: Operation
    fact: str
    """What made it: ``unauthenticated``, ``wrong-credentials``, ``forbidden``, ``not-found``,
    ``constraint``, ``invalid-input``, ``unique``, ``recipe``, ``enum-value`` or ``baseline`` (the
    example request itself, last: a DELETE's removes the resource)."""
    code: int | None
    spec_pointer: str
    why: str
    params: dict[str, Any] = field(default_factory=dict)
    """Parameter overrides by name (path, query, header); ``$context.<name>``, ``$unknown`` expand."""
    patch: tuple[dict[str, Any], ...] = ()
    """JSON patch on the example request body."""
    body: Any = None
    """A whole body instead of the patched example (``None``: the example)."""
    headers: dict[str, str] = field(default_factory=dict)
    auth: str = "valid"
    """``valid``, ``none``, ``wrong`` or ``noaccess``."""
    repeat: bool = False
    """Send the same request once before (it should succeed; the second earns the code)."""
    given: tuple[dict[str, Any], ...] = ()
    """Requests sent first: ``{"operation", "params", "patch", "save": {name: pointer}}``."""
    unique: tuple[str, ...] = ()
    """Body pointers whose value must be new (each send gets a fresh one), unless a patch sets them."""
    example: str | None = None
    """The request-body example the probe starts from (None: the operation's baseline)."""

    @property
    def writes(self) -> bool:
        ops = [self.operation.spec.operation(g["operation"]) for g in self.given]
        return self.operation.is_write or any(o.is_write for o in ops)

    @property
    def name(self) -> str:
        """A stable id: ``operation code fact[detail]``."""
        detail = self.spec_pointer.rsplit("/", 1)[-1] if self.fact in ("constraint", "enum-value") else ""
        value = self.params.get("__value__", "")
        return f"{self.operation.operation_id} {self.code or '-'} {self.fact}{':' + detail if detail else ''}{value}"

    @property
    def status(self) -> int | None:
        if self.code is None:
            return None
        return self.operation.spec.error_catalogue[self.code].status


def elicit_of(op: Operation) -> dict[str, Any]:
    raw = op.raw.get("x-elicit")
    return raw if isinstance(raw, dict) else {}


def examples_of(op: Operation) -> dict[str, Any]:
    """Name → value of every request-body example of ``op``."""
    spec = op.spec
    body = spec.deref(op.raw.get("requestBody", {}))
    media = body.get("content", {}).get("application/json", {}) if isinstance(body, dict) else {}
    return {name: spec.deref(example).get("value") for name, example in media.get("examples", {}).items()}


def example_body(op: Operation, name: str | None = None) -> Any:
    """The operation's baseline request body: the example ``x-elicit.example`` names, else the first."""
    spec = op.spec
    body = spec.deref(op.raw.get("requestBody", {}))
    media = body.get("content", {}).get("application/json", {}) if isinstance(body, dict) else {}
    examples = media.get("examples", {})
    chosen = name or elicit_of(op).get("example")
    for name, example in examples.items():
        if chosen is None or name == chosen:
            return copy.deepcopy(spec.deref(example).get("value"))
    return copy.deepcopy(media["example"]) if "example" in media else None


def _violation(schema: dict[str, Any], keyword: str) -> Any:
    """A parameter value failing ``keyword`` of ``schema`` (None when there is no such value)."""
    if keyword == "type":
        return WRONG if schema.get("type") in ("integer", "number", "boolean") else None
    if keyword == "minimum" and isinstance(schema.get("minimum"), (int, float)):
        return int(schema["minimum"]) - 1
    if keyword == "maximum" and isinstance(schema.get("maximum"), (int, float)):
        return int(schema["maximum"]) + 1
    if keyword == "enum":
        return WRONG
    if keyword == "maxLength" and isinstance(schema.get("maxLength"), int):
        return "x" * (schema["maxLength"] + 1)
    if keyword == "pattern":
        return "!" + WRONG
    return None


@dataclass(frozen=True)
class Site:
    """A place in a request body where a schema with error facts applies."""

    pointer: str
    """JSON pointer into the example body."""
    schema: dict[str, Any]
    spec_pointer: str
    absent: bool = False
    """The example does not give this (enum) property: a probe adds it."""


def sites(spec: Spec, schema: Any, instance: Any, pointer: str = "", where: str = "") -> Iterator[Site]:
    """Every (instance pointer, property schema) of ``instance`` under ``schema`` (refs, allOf, items)."""
    stack: list[tuple[Any, Any, str, str, int]] = [(schema, instance, pointer, where, 0)]
    while stack:
        node, value, at, loc, depth = stack.pop()
        if not isinstance(node, dict) or depth > 64:
            continue
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = spec.deref(node)
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            merged = {**target, **siblings} if isinstance(target, dict) else siblings
            stack.append((merged, value, at, loc if siblings else ref.lstrip("#"), depth + 1))
            continue
        yield Site(at, node, loc)
        for keyword in ("allOf", "oneOf", "anyOf"):
            for index, part in enumerate(node.get(keyword, []) or []):
                stack.append((part, value, at, join_pointer(loc, keyword, index), depth + 1))
        if isinstance(value, dict):
            for name, sub in (node.get("properties") or {}).items():
                target = spec.deref(sub) if isinstance(sub, dict) else None
                if name not in value and isinstance(target, dict) and isinstance(target.get("enum"), list):
                    yield Site(
                        join_pointer(at, name), target, join_pointer(loc, "properties", name), absent=True
                    )
                if name in value:
                    stack.append(
                        (
                            sub,
                            value[name],
                            join_pointer(at, name),
                            join_pointer(loc, "properties", name),
                            depth + 1,
                        )
                    )
        if isinstance(value, list) and isinstance(node.get("items"), dict):
            for index, item in enumerate(value[:1]):
                stack.append(
                    (node["items"], item, join_pointer(at, index), join_pointer(loc, "items"), depth + 1)
                )


def catalogue(spec: Spec, op: Operation) -> list[Probe]:
    """Every probe the spec gives for ``op``, in a stable order."""
    facts = spec.error_facts
    roles = facts.roles
    of = facts.of(op)
    probes: list[Probe] = []
    codes = set(op.error_codes)
    unauthenticated = roles.get(UNAUTHENTICATED)
    if unauthenticated is not None and unauthenticated.code in codes:
        code, pointer = unauthenticated.code, unauthenticated.pointer
        probes.append(Probe(op, "unauthenticated", code, pointer, "no credentials", auth="none"))
        probes.append(Probe(op, "wrong-credentials", code, pointer, "wrong credentials", auth="wrong"))
    forbidden = roles.get(FORBIDDEN)
    if forbidden is not None and forbidden.code in codes:
        probes.append(
            Probe(
                op,
                "forbidden",
                forbidden.code,
                forbidden.pointer,
                "a credential without access",
                auth="noaccess",
            )
        )
    for param in of.parameters:
        name, location = param.name, param.location
        if param.not_found is not None and param.not_found.code in codes:
            probes.append(
                Probe(
                    op,
                    "not-found",
                    param.not_found.code,
                    param.not_found.pointer,
                    f"{location} {name} names nothing",
                    params={name: "$unknown"},
                )
            )
        probes += _constraint_probes(
            op,
            f"{location} {name}",
            param.schema,
            param.constraints,
            codes,
            functools.partial(_in_parameter, name),
        )
        for value in param.schema.get("enum") or []:
            probes.append(
                Probe(
                    op,
                    "enum-value",
                    None,
                    join_pointer(param.pointer, "schema"),
                    f"{location} {name} = {value}",
                    params={name: value, "__value__": f"={value}"},
                )
            )
    body = example_body(op)
    request_schema = op.request_schema()
    body_sites = (
        list(sites(spec, request_schema, body, where=of.body_pointer))
        if body is not None and request_schema
        else []
    )
    stated = [(site, of.body_at(site.spec_pointer)) for site in body_sites if not site.absent]
    unique = tuple(site.pointer for site, fact in stated if fact is not None and fact.unique is not None)
    for site, fact in stated:
        if fact is None:
            continue
        at = site.pointer
        probes += _constraint_probes(
            op,
            f"body {at}",
            fact.schema,
            fact.constraints,
            codes,
            functools.partial(_in_body, at, unique),
        )
        # a create repeated; an update's duplicate needs a recipe
        if fact.unique is not None and fact.unique.code in codes and op.method == "POST":
            probes.append(
                Probe(
                    op,
                    "unique",
                    fact.unique.code,
                    fact.unique.pointer,
                    f"body {at} repeats an existing value",
                    repeat=True,
                )
            )
    probes += _body_enum_probes(spec, op, request_schema, unique)
    invalid = roles.get(INVALID_INPUT)
    if invalid is not None and invalid.code in codes:
        probe = _invalid_input(op, body, request_schema, invalid, unique)
        if probe is not None:
            probes.append(probe)
    for key, recipe in (elicit_of(op).get("codes") or {}).items():
        if not isinstance(recipe, dict) or int(key) not in codes:
            continue
        probes.append(
            Probe(
                op,
                "recipe",
                int(key),
                join_pointer(op.pointer, "x-elicit", "codes", key),
                str(recipe.get("why", "")),
                params=dict(recipe.get("params") or {}),
                patch=tuple(recipe.get("patch") or ()),
                headers={str(k): str(v) for k, v in (recipe.get("headers") or {}).items()},
                repeat=bool(recipe.get("repeat")),
                given=tuple(recipe.get("given") or ()),
                unique=unique,
            )
        )
    probes.append(Probe(op, "baseline", None, op.pointer, "the example request, as documented"))
    return probes


def _in_parameter(name: str, value: Any) -> dict[str, Any]:
    return {"params": {name: value}}


def _in_body(pointer: str, unique: tuple[str, ...], value: Any) -> dict[str, Any]:
    return {"patch": ({"op": "replace", "path": pointer, "value": value},), "unique": unique}


def _constraint_probes(
    op: Operation,
    where: str,
    schema: dict[str, Any],
    constraints: tuple[Constraint, ...],
    codes: set[int],
    request: Callable[[Any], dict[str, Any]],
) -> list[Probe]:
    """One probe per ``x-constraint-codes`` keyword of the operation's codes that a value can fail:
    ``request`` places the failing value (a parameter, a patch on the body)."""
    probes = []
    for constraint in constraints:
        value = _violation(schema, constraint.keyword)
        if value is not None and constraint.code in codes:
            probes.append(
                Probe(
                    op,
                    "constraint",
                    constraint.code,
                    constraint.pointer,
                    f"{where} fails {constraint.keyword}",
                    **request(value),
                )
            )
    return probes


def _body_enum_probes(spec: Spec, op: Operation, schema: Any, unique: tuple[str, ...]) -> list[Probe]:
    """Each value of each request-body enum, once: on the baseline example, else the first example giving it."""
    if not isinstance(schema, dict):
        return []
    baseline = example_body(op)
    candidates: list[tuple[str | None, Any]] = [(None, baseline)]
    candidates += [(n, v) for n, v in examples_of(op).items() if v is not baseline]
    probes: list[Probe] = []
    done: set[tuple[str, str]] = set()
    for name, body in candidates:
        if body is None:
            continue
        for site in sites(spec, schema, body, where=spec.error_facts.of(op).body_pointer):
            for value in _enum_values(spec, site.schema):
                key = (site.spec_pointer, json_key(value))
                if key in done:
                    continue
                done.add(key)
                step = {"op": "add" if site.absent else "replace", "path": site.pointer, "value": value}
                probes.append(
                    Probe(
                        op,
                        "enum-value",
                        None,
                        site.spec_pointer,
                        f"body {site.pointer} = {value}",
                        patch=(step,),
                        unique=unique,
                        example=name,
                        params={"__value__": f"{site.pointer}={value}"},
                    )
                )
    return probes


def json_key(value: Any) -> str:
    return repr(value)


def _enum_values(spec: Spec, schema: dict[str, Any]) -> list[Any]:
    """The values of a request-body property that is an enum."""
    values = schema.get("enum")
    return list(values) if isinstance(values, list) else []


def _invalid_input(
    op: Operation, body: Any, schema: Any, role: Coded, unique: tuple[str, ...]
) -> Probe | None:
    """A request failing its schema where no specific code is declared: a wrongly typed body or parameter."""
    code, pointer = role.code, role.pointer
    if body is not None and isinstance(schema, dict):
        wrong: Any = {} if isinstance(body, list) else []
        return Probe(op, "invalid-input", code, pointer, "a body of the wrong JSON type", body=wrong)
    for param in op.spec.error_facts.of(op).parameters:
        if param.constraints:
            continue
        if param.schema.get("type") in ("integer", "boolean", "number"):
            return Probe(
                op,
                "invalid-input",
                code,
                pointer,
                f"{param.location} {param.name} of the wrong type",
                params={param.name: WRONG},
            )
    return None


def apply_patch(document: Any, patch: tuple[dict[str, Any], ...], expand: Any) -> Any:
    """RFC 6902 ``add``/``replace``/``remove`` on a copy of ``document``; values go through ``expand``."""
    doc = copy.deepcopy(document)
    for step in patch:
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in str(step["path"]).split("/")[1:]]
        if not tokens:
            doc = expand(step.get("value"))
            continue
        parent = doc
        for token in tokens[:-1]:
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        last = tokens[-1]
        if step["op"] == "remove":
            if isinstance(parent, list):
                parent.pop(int(last))
            else:
                parent.pop(last, None)
        elif isinstance(parent, list):
            index = len(parent) if last == "-" else int(last)
            if step["op"] == "add":
                parent.insert(index, expand(step.get("value")))
            else:
                parent[index] = expand(step.get("value"))
        else:
            parent[last] = expand(step.get("value"))
    return doc
