"""Compiled response validators and per-response plans, built once per (spec, operation, status).

The spec's schemas are JSON Schema 2020-12 (OpenAPI 3.1), so jsonschema-rs compiles them with
the components bundled beside the root ``$ref``; openapi-core stays the reference a differential
test holds this to. A :class:`ResponsePlan` gathers everything the checks ask about one documented
response (key, pointer, media types, compiled validator, enum and format positions, headers), so
no check re-derives it per exchange.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from contracts.checks._positions import Position, fold, locate
from contracts.exchange import Exchange
from contracts.spec import Operation, Spec, escape_token
from contracts.types import JSONObject, Pointer

DIALECT = "https://json-schema.org/draft/2020-12/schema"
MEDIA = "application/json"
INTEGER_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
ENUM_CHECK = "enum_value_documented"
DATE_CHECK = "date_format"
TIMESTAMP_CHECK = "timestamp_format"

_COMPONENTS: weakref.WeakKeyDictionary[Spec, Any] = weakref.WeakKeyDictionary()
_VALIDATORS: weakref.WeakKeyDictionary[Spec, dict[tuple[str, str, str], Any]] = weakref.WeakKeyDictionary()
_PLANS: weakref.WeakKeyDictionary[Spec, dict[tuple[str, int], ResponsePlan | None]] = (
    weakref.WeakKeyDictionary()
)
_OWNERS: weakref.WeakKeyDictionary[Spec, dict[str, str]] = weakref.WeakKeyDictionary()
_FOLDED: weakref.WeakKeyDictionary[Spec, dict[int, tuple[Any, Position | None]]] = weakref.WeakKeyDictionary()


def _with_integer_bounds(node: Any) -> Any:
    """OpenAPI's ``int32``/``int64`` formats as JSON Schema bounds (JSON Schema has no such format)."""
    if isinstance(node, list):
        return [_with_integer_bounds(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _with_integer_bounds(v) for k, v in node.items()}
    bounds = INTEGER_BOUNDS.get(str(node.get("format")))
    kind = node.get("type")
    kinds: list[Any] = kind if isinstance(kind, list) else [kind]
    if bounds is not None and "integer" in kinds:
        out.setdefault("minimum", bounds[0])
        out.setdefault("maximum", bounds[1])
    return out


def compile_schema(spec: Spec, schema: dict[str, Any]) -> Any:
    """A jsonschema-rs validator for ``schema`` whose local ``$ref`` resolve against the spec."""
    if spec not in _COMPONENTS:
        _COMPONENTS[spec] = _with_integer_bounds(spec.raw.get("components", {}))
    bundled = {"$schema": DIALECT, **_with_integer_bounds(schema), "components": _COMPONENTS[spec]}
    return jsonschema_rs.validator_for(bundled, validate_formats=True)


def response_validator(op: Operation, status: int, media_type: str = MEDIA) -> Any | None:
    """The compiled validator of the response documented for ``status`` (None when undocumented)."""
    key = op.response_key(status)
    if key is None:
        return None
    cache = _VALIDATORS.setdefault(op.spec, {})
    slot = (op.operation_id, key, media_type)
    if slot not in cache:
        schema = op.response_schema(status, media_type)
        cache[slot] = None if schema is None else compile_schema(op.spec, schema)
    return cache[slot]


def conforms(op: Operation, status: int, body: Any, media_type: str = MEDIA) -> bool:
    """True when ``body`` is valid for the documented response: the fast path every walk skips on."""
    validator = response_validator(op, status, media_type)
    return validator is None or bool(validator.is_valid(body))


def format_owners(spec: Spec) -> dict[str, str]:
    """String components with a pattern: ``format: date`` → date_format; ``*Timestamp`` → timestamp_format."""
    if spec not in _OWNERS:
        owners: dict[str, str] = {}
        for name, schema in spec.raw.get("components", {}).get("schemas", {}).items():
            if not isinstance(schema, dict) or "pattern" not in schema:
                continue
            if schema.get("format") == "date":
                owners[name] = DATE_CHECK
            elif name.endswith("Timestamp"):
                owners[name] = TIMESTAMP_CHECK
        _OWNERS[spec] = owners
    return _OWNERS[spec]


def owner(spec: Spec, component: str) -> str | None:
    """The check that reports bad values of ``component`` more clearly than the schema check."""
    if component in spec.enums:
        return ENUM_CHECK
    return format_owners(spec).get(component)


@dataclass(frozen=True)
class Header:
    name: str
    required: bool
    pointer: Pointer
    schema: JSONObject | None
    validator: Any | None


@dataclass(frozen=True)
class ResponsePlan:
    """What the checks need about one documented (operation, status), computed on first use."""

    operation: Operation
    key: str
    pointer: Pointer
    media: Mapping[str, JSONObject]
    schema: JSONObject | None
    """The ``application/json`` schema (None when the response documents no JSON body)."""
    validator: Any | None
    positions: Position | None
    """Where enum and format components sit (None when the schema reaches none)."""
    headers: tuple[Header, ...]

    def conforms(self, exchange: Exchange) -> bool:
        """True when the JSON body is schema-valid; one verdict per exchange shared by every check."""
        global _LAST_VERDICT
        last = _LAST_VERDICT
        if last is not None and last[0] is exchange and last[1] is self:
            return last[2]
        verdict = self.validator is None or bool(self.validator.is_valid(exchange.json))
        _LAST_VERDICT = (exchange, self, verdict)
        return verdict

    def located(self, exchange: Exchange, check: str) -> Iterator[tuple[Pointer, str, Any]]:
        """(pointer, component, value) for each value of an invalid body at a component ``check`` owns."""
        if self.positions is None or self.conforms(exchange):
            return
        spec = self.operation.spec
        for pointer, position, value in locate(self.positions, exchange.json):
            for name in position.names:
                if owner(spec, name) == check:
                    yield pointer, name, value


_LAST_VERDICT: tuple[Exchange, ResponsePlan, bool] | None = None
"""The last (exchange, plan, verdict): the checks of one exchange run one after another, so one slot
saves all but one validation; identity (not equality) keeps it right across threads."""


def plan(op: Operation, status: int) -> ResponsePlan | None:
    """The plan of the response documented for ``status`` (None when the status is undocumented)."""
    cache = _plans_of(op.spec)
    slot = (op.operation_id, status)
    try:
        return cache[slot]
    except KeyError:
        found = cache[slot] = _plan(op, status)
        return found


def _plans_of(spec: Spec) -> dict[tuple[str, int], ResponsePlan | None]:
    """The plans of ``spec``; the last spec asked about is kept at hand (a weak lookup costs more)."""
    global _LAST_PLANS
    last = _LAST_PLANS
    if last is not None and last[0] is spec:
        return last[1]
    plans = _PLANS.setdefault(spec, {})
    _LAST_PLANS = (spec, plans)
    return plans


_LAST_PLANS: tuple[Spec, dict[tuple[str, int], ResponsePlan | None]] | None = None


def _plan(op: Operation, status: int) -> ResponsePlan | None:
    key, pointer, response = op.response_key(status), op.response_pointer(status), op.response(status)
    if key is None or pointer is None or response is None:
        return None
    spec = op.spec
    media = response.get("content", {})
    schema = (media.get(MEDIA) or {}).get("schema")
    wanted = frozenset(spec.enums) | frozenset(format_owners(spec))
    headers = []
    for name, raw in (response.get("headers") or {}).items():
        header = spec.deref(raw)
        sub = header.get("schema")
        headers.append(
            Header(
                name,
                bool(header.get("required")),
                f"{pointer}/headers/{escape_token(name)}",
                sub if isinstance(sub, dict) else None,
                compile_schema(spec, sub) if isinstance(sub, dict) else None,
            )
        )
    return ResponsePlan(
        operation=op,
        key=key,
        pointer=pointer,
        media=media,
        schema=schema,
        validator=response_validator(op, status),
        positions=None if schema is None else fold(spec, schema, wanted),
        headers=tuple(headers),
    )


def schema_pointer(op: Operation, status: int, media_type: str, schema_path: list[str | int]) -> str:
    """A pointer into the spec for a validator's ``schema_path`` (components are absolute)."""
    tokens = [escape_token(str(t)) for t in schema_path]
    if tokens[:1] == ["components"]:
        return "/" + "/".join(tokens)
    base = f"{op.response_pointer(status)}/content/{escape_token(media_type)}/schema"
    return base + "".join("/" + t for t in tokens)


def walk_components(spec: Spec, schema: Any, instance: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """Yield (JSON pointer, component name, value) wherever ``instance`` sits at a named component.

    Follows ``$ref``, ``allOf``, ``anyOf``/``oneOf`` (branches merged), ``properties``,
    ``additionalProperties`` and ``items``; the schema is folded once and reused (see ``_positions``).
    """
    cache = _FOLDED.setdefault(spec, {})
    cached = cache.get(id(schema))
    if cached is None or cached[0] is not schema:  # identity guards against a reused id()
        cached = cache[id(schema)] = (schema, fold(spec, schema))
    if cached[1] is None:
        return
    for pointer, position, value in locate(cached[1], instance, path):
        for name in position.names:
            yield pointer, name, value
