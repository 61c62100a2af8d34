"""The consumer's side of the contract: a request judged against its operation's parameters and body.

The response checks of :mod:`contracts.checks` judge what a server answered; this module judges
what a client sent (path, query and header parameters, the request body's media type and
schema), offline, for the proxy, ``contracts validate --side request`` and saved request bodies.
Every finding carries ``extra["side"] == "request"`` so reports can say which side broke it.
The plan of an operation is a memo of the spec's schema layer (``spec.schemas``), its validators the
layer's compiled ones; a request is judged by ``is_valid`` and its errors read only when it fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from contracts.exchange import Exchange
from contracts.findings import Finding, Result
from contracts.spec import Operation, Parameter, Spec, escape_token, join_pointer

PARAMETER_CHECK = "request_parameter_conformance"
BODY_CHECK = "request_body_conformance"
MEDIA_CHECK = "request_content_type_documented"
REQUEST_CHECKS = (PARAMETER_CHECK, BODY_CHECK, MEDIA_CHECK)
"""Stable names of the request-side checks (report ids, like the registry's response checks)."""
SIDE_REQUEST, SIDE_RESPONSE = "request", "response"
JSON_MEDIA = "application/json"


@dataclass(frozen=True)
class _Param(Parameter):
    """A parameter (:class:`~contracts.spec.Parameter`) with its compiled validator."""

    validator: Any | None
    """None: the parameter has no schema, any value is its value."""


@dataclass(frozen=True)
class RequestPlan:
    """What judging one operation's requests needs, compiled once."""

    operation: Operation
    params: tuple[_Param, ...]
    media: tuple[str, ...]
    """Documented request media types (empty: the operation takes no body)."""
    body_required: bool
    body_validator: Any | None
    body_pointer: str
    """Pointer into the spec of the JSON request-body schema."""
    locations: frozenset[str] = frozenset()
    """Where its parameters are read (``path``, ``query``, ``header``): the others are not gathered."""

    @property
    def body_at(self) -> str:
        """Pointer into the spec of the request body object (worked out only for a finding about it)."""
        return self.body_pointer.rsplit("/content/", 1)[0]


def plan(op: Operation) -> RequestPlan:
    """The operation's request plan, built once per spec (a memo of ``spec.schemas``)."""
    plans = _plans_of(op.spec)
    found = plans.get(op.operation_id)
    if found is None:
        found = plans[op.operation_id] = _plan(op)
    return found


def _plans_of(spec: Spec) -> dict[str, RequestPlan]:
    """The request plans of ``spec`` by operationId; the last spec asked about is kept at hand."""
    global _LAST_PLANS
    last = _LAST_PLANS
    if last is not None and last[0] is spec:
        return last[1]
    plans: dict[str, RequestPlan] = spec.schemas.memo("request.plans", dict)
    _LAST_PLANS = (spec, plans)
    return plans


_LAST_PLANS: tuple[Spec, dict[str, RequestPlan]] | None = None


def _validator(spec: Spec, schema: Any) -> Any | None:
    return spec.schemas.validator(schema) if isinstance(schema, dict) else None


def _plan(op: Operation) -> RequestPlan:
    spec = op.spec
    params = tuple(
        _Param.extending(p, validator=_validator(spec, p.raw.get("schema")))
        for p in op.params
        if p.location in ("path", "query", "header")
    )
    raw_body = op.raw.get("requestBody", {})
    base = raw_body["$ref"][1:] if isinstance(raw_body, dict) and "$ref" in raw_body else None
    base = base or join_pointer(op.pointer, "requestBody")
    body = spec.deref(raw_body)
    content = body.get("content", {})
    schema = (content.get(JSON_MEDIA) or {}).get("schema")
    return RequestPlan(
        operation=op,
        params=params,
        media=tuple(m.lower() for m in content),
        body_required=bool(body.get("required")),
        body_validator=None if schema is None else _validator(spec, schema),
        body_pointer=join_pointer(base, "content", JSON_MEDIA, "schema"),
        locations=frozenset(p.location for p in params),
    )


def _types(schema: Mapping[str, Any]) -> list[Any]:
    kind = schema.get("type")
    return kind if isinstance(kind, list) else [kind]


def _coerce(raw: str, schema: Mapping[str, Any]) -> Any:
    """A parameter's text as the JSON value its schema expects (left as text when it is not one)."""
    kinds = _types(schema)
    if "integer" in kinds and raw.lstrip("-").isdigit():
        return int(raw)
    if "number" in kinds:
        try:
            return float(raw)
        except ValueError:
            pass
    if "boolean" in kinds and raw in ("true", "false"):
        return raw == "true"
    return raw


def _value(param: _Param, values: list[str]) -> Any:
    if "array" in _types(param.schema):
        items = param.schema.get("items", {})
        parts = [p for v in values for p in (v.split(",") if len(values) == 1 else [v])]
        return [_coerce(p, items if isinstance(items, dict) else {}) for p in parts]
    return _coerce(values[-1], param.schema)


def _finding(check: str, message: str, op: Operation, **kw: Any) -> Finding:
    return Finding(check, message, operation=op.operation_id, extra={"side": SIDE_REQUEST}, **kw)


def iter_request_findings(
    spec: Spec,
    op: Operation,
    *,
    path_params: Mapping[str, str],
    query: Iterable[tuple[str, str]] = (),
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    judge_body: bool = True,
) -> Iterator[Finding]:
    """Every way this request breaks the operation's parameters, media types or body schema.

    ``judge_body=False`` leaves the body alone (the proxy does for bodies too large to buffer).
    """
    judged = plan(op)
    params = judged.params
    lowered: dict[str, str] | None = None
    content_type = None
    if headers:
        if params and "header" in judged.locations:
            lowered = {k.lower(): v for k, v in headers.items()}
            content_type = lowered.get("content-type")
        else:
            content_type = _content_type(headers)
    queried: dict[str, list[str]] | None = None
    for param in params:
        location = param.location
        if location == "query":
            if queried is None:
                queried = {}
                for name, value in query:
                    queried.setdefault(name, []).append(value)
            given = queried.get(param.name)
        else:
            if location == "path":
                one = path_params.get(param.name)
            else:
                one = None if lowered is None else lowered.get(param.name.lower())
            given = None if one is None else [one]
        if given is None:
            if param.required:
                yield _finding(
                    PARAMETER_CHECK,
                    f"required {param.location} parameter {param.name!r} is missing",
                    op,
                    spec_pointer=param.pointer,
                    expected={"required": True},
                )
            continue
        value = _value(param, given)
        if param.validator is None or param.validator.is_valid(value):
            continue
        for error in param.validator.iter_errors(value):
            yield _finding(
                PARAMETER_CHECK,
                f"{param.location} parameter {param.name!r}: {error.message[:200]}",
                op,
                spec_pointer=param.pointer + "/schema",
                actual=given[-1][:200],
            )
            break
    if judge_body:
        yield from _body_findings(judged, op, body, content_type)


def _content_type(headers: Mapping[str, str]) -> str | None:
    """The Content-Type of ``headers`` whatever the case of its name (the last one when repeated)."""
    found = None
    for name, value in headers.items():
        if len(name) == 12 and name.lower() == "content-type":
            found = value
    return found


def _body_findings(
    judged: RequestPlan, op: Operation, body: bytes | None, content_type: str | None
) -> Iterator[Finding]:
    sent = body is not None and bool(body) and (not body[:1].isspace() or body.strip() != b"")
    if not sent:
        if judged.body_required:
            yield _finding(BODY_CHECK, "the request body is required", op, spec_pointer=judged.body_at)
        return
    if not judged.media:
        return  # a body the operation does not read: servers ignore it, so it breaks nothing
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if (
        media
        and media not in judged.media
        and not any(m.endswith("/*") and media.startswith(m[:-1]) for m in judged.media)
    ):
        yield _finding(
            MEDIA_CHECK,
            f"Content-Type {media!r} is not documented for this request body",
            op,
            spec_pointer=judged.body_at + "/content",
            expected=list(judged.media),
            actual=media,
        )
        return
    if judged.body_validator is None or (media and media != JSON_MEDIA):
        return
    try:
        document = _parse(body or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):
        yield _finding(
            BODY_CHECK,
            "the request body is not valid JSON (or nests too deeply to read)",
            op,
            spec_pointer=judged.body_pointer,
        )
        return
    if judged.body_validator.is_valid(document):
        return
    for error in judged.body_validator.iter_errors(document):
        tokens = [escape_token(str(t)) for t in error.schema_path]
        spec_pointer = (
            "/" + "/".join(tokens)
            if tokens[:1] == ["components"]
            else judged.body_pointer + "".join("/" + t for t in tokens)
        )
        value = error.instance
        yield _finding(
            BODY_CHECK,
            error.message[:300],
            op,
            pointer="".join(f"/{escape_token(str(t))}" for t in error.instance_path),
            spec_pointer=spec_pointer,
            actual=value
            if not isinstance(value, (dict, list))
            else f"<{type(value).__name__} of {len(value)}>",
        )


def _parse(body: bytes) -> Any:
    """The body as JSON: orjson, and the standard library for what orjson refuses but JSON allows
    (integers beyond 64 bits) or it reads differently (a byte-order mark); same verdicts as before."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


def judge_request(
    spec: Spec, method: str, url: str, headers: Mapping[str, str] | None = None, body: bytes | None = None
) -> list[Finding] | None:
    """De-duplicated request findings, or None when no operation of the spec serves ``method url``."""
    parts = urlsplit(url)
    found = spec.match(method, parts.path or "/")
    if found is None:
        return None
    op, path_params = found
    query = parse_qsl(parts.query, keep_blank_values=True)
    return Result.of(
        iter_request_findings(spec, op, path_params=path_params, query=query, headers=headers, body=body)
    ).findings


def judge_exchange(spec: Spec, exchange: Exchange) -> list[Finding]:
    """The request findings of a captured exchange (its operation is already known); the query is
    read only for an operation that has query parameters."""
    op = spec.operation(exchange.operation)
    path_params = exchange.path_params
    if path_params is None:
        path_params = op.match_path(exchange.path) or {}
    url = exchange.url
    query = (
        parse_qsl(urlsplit(url).query, keep_blank_values=True)
        if "?" in url and "query" in plan(op).locations
        else []
    )
    found = list(
        iter_request_findings(
            spec,
            op,
            path_params=path_params,
            query=query,
            headers=exchange.request_headers,
            body=exchange.request_body,
        )
    )
    return found if len(found) < 2 else Result.of(found).findings  # fewer: nothing to de-duplicate


def judge_body(spec: Spec, operation: str, document: Any) -> list[Finding]:
    """A saved request body (``contracts validate --request``) against the operation's body schema."""
    op = spec.operation(operation)
    raw = json.dumps(document).encode()
    return Result.of(_body_findings(plan(op), op, raw, JSON_MEDIA)).findings


def side_of(finding: Finding) -> str:
    """Which side of the contract a finding blames: ``request`` (the consumer) or ``response``."""
    return str(finding.extra.get("side", SIDE_RESPONSE))


def sides(value: str) -> Sequence[str]:
    """``request``, ``response`` or ``both`` as the sides to judge."""
    return (SIDE_REQUEST, SIDE_RESPONSE) if value == "both" else (value,)
