"""Request validation against the spec: parameters and bodies, compiled once per operation."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contracts.checks._schemas import compile_schema
from contracts.spec import Operation, Parameter, Spec

ABSENT: Any = object()
"""No request body was sent (distinct from a JSON ``null``)."""


class Invalid(Exception):
    """The request does not conform; ``where`` names the parameter or body pointer."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where


def _coerce(raw: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        if raw.lstrip("-").isdigit():
            return int(raw)
        return _integral_float(raw)
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            return raw
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    return raw


def _integral_float(raw: str) -> Any:
    """``8175.0`` is an integer to JSON Schema (an integer-valued number), so a path or query integer too."""
    if len(raw) > 40 or not raw.isascii() or not raw.replace(".", "", 1).lstrip("-").isdigit():
        return raw
    number = float(raw)
    return int(number) if number.is_integer() else raw


@dataclass(frozen=True)
class Param(Parameter):
    """A parameter (:class:`~contracts.spec.Parameter`) with the mock's compiled validator."""

    validator: Any


class RequestValidator:
    """Validates one operation's parameters and body; built once, reused for every request."""

    def __init__(self, spec: Spec, op: Operation) -> None:
        self.op = op
        self.params = [
            Param.extending(p, validator=compile_schema(spec, p.raw.get("schema", {}))) for p in op.params
        ]
        body = spec.deref(op.raw.get("requestBody", {}))
        schema = body.get("content", {}).get("application/json", {}).get("schema")
        self.body_required = bool(body.get("required"))
        self.body = compile_schema(spec, schema) if schema is not None else None
        self.spec, self.body_schema = spec, schema
        self.reads_headers = any(p.location == "header" for p in self.params)
        """Whether a header is one of its parameters (else the request's headers are not decoded)."""

    def parameters(
        self, path: Mapping[str, str], query: dict[str, str], headers: dict[str, str]
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        sources = {"path": path, "query": query, "header": headers}
        for param in self.params:
            source = sources.get(param.location, {})
            key = param.name.lower() if param.location == "header" else param.name
            if key not in source:
                if param.required:
                    raise Invalid(f"{param.location} {param.name}", "is required")
                if "default" in param.schema:
                    values[param.name] = param.schema["default"]
                continue
            value = _coerce(source[key], param.schema)
            if not param.validator.is_valid(value):
                raise Invalid(f"{param.location} {param.name}", f"{source[key]!r} is not valid")
            values[param.name] = value
        return values

    def raw_value(
        self,
        name: str,
        location: str,
        path: Mapping[str, str],
        query: dict[str, str],
        headers: dict[str, str],
    ) -> Any:
        """Parameter ``name`` as sent, coerced to its schema's type where it can be (``ABSENT`` if not sent)."""
        for param in self.params:
            if param.name == name and param.location == location:
                source = {"path": path, "query": query, "header": headers}.get(location, {})
                key = name.lower() if location == "header" else name
                return _coerce(source[key], param.schema) if key in source else ABSENT
        return ABSENT

    def parse_body(self, raw: bytes) -> Any:
        """The parsed body (``ABSENT`` when none was sent); malformed JSON is Invalid."""
        if self.body is None or not raw.strip():
            if self.body is not None and self.body_required:
                raise Invalid("body", "is required")
            return ABSENT
        try:
            return integral(json.loads(raw))
        except (ValueError, UnicodeDecodeError):
            raise Invalid("body", "is not valid JSON") from None

    def check_body(self, body: Any) -> None:
        if self.body is None or body is ABSENT:
            return
        for err in self.body.iter_errors(body):
            where = "/".join(str(t) for t in err.instance_path)
            raise Invalid(f"body/{where}" if where else "body", err.message[:200])


def integral(value: Any) -> Any:
    """``value`` with integer-valued floats (``-3750861.0``) as integers: JSON Schema calls them integers,
    so they pass an ``integer`` schema, and the API answers ids as integers (the mock must not echo ``.0``)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [integral(v) for v in value]
    if isinstance(value, dict):
        return {k: integral(v) for k, v in value.items()}
    return value
