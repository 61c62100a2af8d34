"""Per-response plans of the checks, built once per (spec, operation, status) on the spec's schema layer.

Compiling is :mod:`contracts.schemas`'s job (jsonschema-rs, 2020-12, components bundled beside the
root; openapi-core stays the reference a differential test holds this to), and so is every cache:
the plans are a memo of ``spec.schemas``. A :class:`ResponsePlan` gathers everything the checks ask about one documented
response (key, pointer, media types, compiled validator, enum and format positions, headers), so
no check re-derives it per exchange.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from contracts.cached import cached
from contracts.checks._positions import Position, fold, locate
from contracts.exchange import Exchange
from contracts.schemas import JSON_MEDIA, escape_token
from contracts.spec import MAX_CONTAINERS, MAX_DEPTH, Operation, Spec
from contracts.types import JSONObject, Pointer

MEDIA = JSON_MEDIA
ENUM_CHECK = "enum_value_documented"
DATE_CHECK = "date_format"
TIMESTAMP_CHECK = "timestamp_format"
_FORMAT_CHECKS = {"date": DATE_CHECK, "timestamp": TIMESTAMP_CHECK}


def compile_schema(spec: Spec, schema: dict[str, Any]) -> Any:
    """A jsonschema-rs validator for ``schema`` (``spec.schemas.compile``; kept for older callers)."""
    return spec.schemas.compile(schema)


def response_validator(op: Operation, status: int, media_type: str = MEDIA) -> Any | None:
    """The compiled validator of the response documented for ``status`` (None when undocumented)."""
    schema = op.response_schema(status, media_type)
    return None if schema is None else op.spec.schemas.validator(schema)


def conforms(op: Operation, status: int, body: Any, media_type: str = MEDIA) -> bool:
    """True when ``body`` is valid for the documented response: the fast path every walk skips on."""
    validator = response_validator(op, status, media_type)
    return validator is None or bool(validator.is_valid(body))


def format_owners(spec: Spec) -> dict[str, str]:
    """String components with a pattern: ``format: date`` → date_format; ``*Timestamp`` → timestamp_format."""
    return spec.schemas.memo(
        "checks.format_owners",
        lambda: {name: _FORMAT_CHECKS[kind] for name, kind in spec.schemas.format_components.items()},
    )


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
    closed: Any | None
    """The validator of the schema closed to undeclared properties (:meth:`Schemas.closed_validator`):
    stricter than ``validator``, so a body it accepts needs no second validation."""

    def verdicts(self, exchange: Exchange) -> tuple[bool, bool]:
        """(schema-valid, valid and declaring every property) of the JSON body, computed once per
        exchange and shared by every check: the closed validator first (a real response usually
        passes it, one validation in all), the plain one only when the closed one refuses."""
        global _LAST_VERDICT
        last = _LAST_VERDICT
        if last is not None and last[0] is exchange and last[1] is self:
            return last[2]
        body = exchange.json
        if self.closed is not None and self.closed.is_valid(body):
            verdict = (True, True)
        else:
            valid = self.validator is None or bool(self.validator.is_valid(body))
            verdict = (valid, self.closed is None and valid)
        _LAST_VERDICT = (exchange, self, verdict)
        return verdict

    @cached
    def closed_depth(self) -> int | None:
        """How deep a body the closed validator accepts can nest (None: unbounded or deeper than any
        body may be; :meth:`Schemas.closed_depth <contracts.schemas.Schemas.closed_depth>`)."""
        if not isinstance(self.schema, dict):
            return None
        return self.operation.spec.schemas.closed_depth(self.schema, MAX_DEPTH)

    def within_depth(self, exchange: Exchange) -> bool:
        """True when the body is JSON the closed validator accepts (the verdict is kept for the checks)
        and the closed schema bounds its depth within :data:`~contracts.spec.MAX_DEPTH`: a walk of
        the body could find it neither too deep nor too large (under 2 bytes a container), so none is
        needed."""
        depth = self.closed_depth
        if depth is None or len(exchange.body) >= 2 * MAX_CONTAINERS:
            return False
        try:
            return exchange.is_json and self.verdicts(exchange)[1]
        except RecursionError:  # too deep for the standard library's parser: the walk says so
            return False

    def conforms(self, exchange: Exchange) -> bool:
        """True when the JSON body is schema-valid."""
        return self.verdicts(exchange)[0]

    def declares_all(self, exchange: Exchange) -> bool:
        """True when the body is valid and every property in it is declared by the schema."""
        return self.verdicts(exchange)[1]

    def located(self, exchange: Exchange, check: str) -> Iterator[tuple[Pointer, str, Any]]:
        """(pointer, component, value) for each value of an invalid body at a component ``check`` owns."""
        if self.positions is None or self.conforms(exchange):
            return
        spec = self.operation.spec
        for pointer, position, value in locate(self.positions, exchange.json):
            for name in position.names:
                if owner(spec, name) == check:
                    yield pointer, name, value


_LAST_VERDICT: tuple[Exchange, ResponsePlan, tuple[bool, bool]] | None = None
"""The last (exchange, plan, verdict): the checks of one exchange run one after another, so one slot
saves all but one validation; identity (not equality) keeps it right across threads."""


def plan(op: Operation, status: int) -> ResponsePlan | None:
    """The plan of the response documented for ``status`` (None when the status is undocumented)."""
    plans = _plans_of(op.spec)
    slot = (op.operation_id, status)
    try:
        return plans[slot]
    except KeyError:
        found = plans[slot] = _plan(op, status)
        return found


def _plans_of(spec: Spec) -> dict[tuple[str, int], ResponsePlan | None]:
    """The plans of ``spec`` (a memo of its schema layer); the last spec asked about is kept at hand."""
    global _LAST_PLANS
    last = _LAST_PLANS
    if last is not None and last[0] is spec:
        return last[1]
    plans: dict[tuple[str, int], ResponsePlan | None] = spec.schemas.memo("checks.plans", dict)
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
                spec.schemas.validator(sub) if isinstance(sub, dict) else None,
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
        closed=None if not isinstance(schema, dict) else spec.schemas.closed_validator(schema),
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
    folded = spec.schemas.memo(("checks.folded", id(schema)), lambda: (schema, fold(spec, schema)))
    if folded[0] is not schema:  # identity guards against a reused id()
        folded = (schema, fold(spec, schema))
    if folded[1] is None:
        return
    for pointer, position, value in locate(folded[1], instance, path):
        for name in position.names:
            yield pointer, name, value
