"""Compiled response validators, built once per (spec, operation, status, media type).

The spec's schemas are JSON Schema 2020-12 (OpenAPI 3.1), so jsonschema-rs compiles them with
the components bundled beside the root ``$ref``; openapi-core stays the reference a differential
test holds this to.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Any

import jsonschema_rs

from contracts.spec import Operation, Spec, escape_token

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_CACHE: weakref.WeakKeyDictionary[Spec, dict[tuple[str, str, str], Any]] = weakref.WeakKeyDictionary()


def response_validator(op: Operation, status: int, media_type: str = "application/json") -> Any | None:
    """The compiled validator of the response documented for ``status`` (None when undocumented)."""
    key = op.response_key(status)
    if key is None:
        return None
    cache = _CACHE.setdefault(op.spec, {})
    slot = (op.operation_id, key, media_type)
    if slot not in cache:
        schema = op.response_schema(status, media_type)
        cache[slot] = None if schema is None else compile_schema(op.spec, schema)
    return cache[slot]


INTEGER_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_COMPONENTS: weakref.WeakKeyDictionary[Spec, Any] = weakref.WeakKeyDictionary()


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


def conforms(op: Operation, status: int, body: Any, media_type: str = "application/json") -> bool:
    """True when ``body`` is valid for the documented response: the fast path every walk skips on."""
    validator = response_validator(op, status, media_type)
    return validator is None or bool(validator.is_valid(body))


def compile_schema(spec: Spec, schema: dict[str, Any]) -> Any:
    """A jsonschema-rs validator for ``schema`` whose local ``$ref`` resolve against the spec."""
    if spec not in _COMPONENTS:
        _COMPONENTS[spec] = _with_integer_bounds(spec.raw.get("components", {}))
    bundled = {"$schema": DIALECT, **_with_integer_bounds(schema), "components": _COMPONENTS[spec]}
    return jsonschema_rs.validator_for(bundled, validate_formats=True)


def schema_pointer(op: Operation, status: int, media_type: str, schema_path: list[str | int]) -> str:
    """A pointer into the spec for a validator's ``schema_path`` (components are absolute)."""
    tokens = [escape_token(str(t)) for t in schema_path]
    if tokens[:1] == ["components"]:
        return "/" + "/".join(tokens)
    base = f"{op.response_pointer(status)}/content/{escape_token(media_type)}/schema"
    return base + "".join("/" + t for t in tokens)


def walk_components(spec: Spec, schema: Any, instance: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """Yield (JSON pointer, component name, value) wherever ``instance`` sits at a named component.

    Follows ``$ref``, ``allOf``, the branches of ``anyOf``/``oneOf``, ``properties``,
    ``additionalProperties`` and ``items`` — enough for the shapes the conventions allow.
    """
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 32:
        ref = schema["$ref"]
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            yield path, ref.rsplit("/", 1)[1], instance
        schema = spec.deref({"$ref": ref}) if isinstance(ref, str) else {}
        seen += 1
    if not isinstance(schema, dict):
        return
    for part in schema.get("allOf", []):
        yield from walk_components(spec, part, instance, path)
    for combinator in ("anyOf", "oneOf"):
        if instance is not None:
            for part in schema.get(combinator, []):
                yield from walk_components(spec, part, instance, path)
    if isinstance(instance, dict):
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, value in instance.items():
            sub = props.get(key, extra if isinstance(extra, dict) else None)
            if sub is not None:
                yield from walk_components(spec, sub, value, f"{path}/{escape_token(key)}")
    elif isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for index, value in enumerate(instance):
            yield from walk_components(spec, schema["items"], value, f"{path}/{index}")
