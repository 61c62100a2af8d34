"""``make generate``: ``generated/client.py``, a typed httpx client written from the spec alone.

One method per operation (its operationId in snake_case) on ``Client`` and ``AsyncClient``; path,
query and header parameters become typed keyword arguments, the request body the generated model
(a dict accepted too); each method returns the typed envelope alias of ``generated/envelopes.py``.
Error answers become exceptions: one ``ApiError`` subclass per code of the catalogue
(``components.x-error-codes``), and ``UnexpectedResponse`` (with the check registry's findings) for
anything the operation does not document. The fixed runtime part is :data:`_RUNTIME`; everything
per operation or per code is rendered from the spec, deterministically.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from contracts.codegen import HEADER, alias_name, class_name
from contracts.errors import SpecError
from contracts.spec import Operation, Spec
from contracts.types import JSON

_LOCATIONS = ("path", "query", "header", "cookie")
_RESERVED = frozenset({"close", "aclose", "body", "self", "last_response"})
"""Names a method or a keyword argument may not take (suffixed with ``_``)."""
_SIMPLE = {"integer": "int", "number": "float", "boolean": "bool", "string": "str", "null": "None"}


def snake(name: str) -> str:
    """``targetGroupId`` → ``target_group_id``, ``DATA-SCOPE`` → ``data_scope``, ``get-x`` → ``get_x``."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", words)
    out = re.sub(r"[^0-9a-zA-Z]+", "_", words).strip("_").lower() or "value"
    if out[0].isdigit():
        out = "n_" + out
    return out + "_" if keyword.iskeyword(out) or out in _RESERVED else out


def exception_name(name: str, code: int) -> str:
    """``TARGET_GROUP_NOT_FOUND`` → ``TargetGroupNotFoundError`` (``Error310017`` without a name)."""
    words = [w for w in re.split(r"[^0-9A-Za-z]+", name) if w]
    if not words:
        return f"Error{code}"
    head = "".join(w[:1].upper() + w[1:].lower() for w in words)
    return ("E" + head if head[0].isdigit() else head) + "Error"


def _doc(text: str) -> str:
    """Spec prose made safe inside a triple-quoted docstring."""
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()


@dataclass(frozen=True)
class Param:
    name: str
    location: str
    argument: str
    annotation: str
    required: bool
    description: str


class _Types:
    """Python annotations for spec schemas, naming generated classes as ``models.X``."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec

    def parameter(self, schema: JSON) -> str:
        if not isinstance(schema, dict):
            return "Any"
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target = self.spec.deref(schema)
            if isinstance(target, dict) and isinstance(target.get("enum"), list):
                return f"models.{class_name(ref.rsplit('/', 1)[1])} | str"
            return self.parameter(target)
        kind = schema.get("type")
        if isinstance(kind, list):
            return " | ".join(dict.fromkeys(self.parameter({**schema, "type": k}) for k in kind))
        if kind == "string" and schema.get("format") == "date":
            return "datetime.date | str"
        if kind == "array":
            return f"Sequence[{self.parameter(schema.get('items', {}))}]"
        if isinstance(kind, str) and kind in _SIMPLE:
            return _SIMPLE[kind]
        return "Any"

    def _is_object(self, schema: JSON) -> bool:
        """Whether a component is a JSON object, so datamodel-code-generator makes a model class of it."""
        if not isinstance(schema, dict):
            return False
        if schema.get("type") == "object" or "properties" in schema:
            return True
        return any(self._is_object(self.spec.deref(part)) for part in schema.get("allOf", []))

    def body(self, schema: JSON) -> str:
        if not isinstance(schema, dict):
            return "Any"
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            target = self.spec.deref(schema)
            if self._is_object(target):
                return f"models.{class_name(ref.rsplit('/', 1)[1])} | Mapping[str, Any]"
            return self.parameter(schema)
        for combinator in ("oneOf", "anyOf"):
            if isinstance(schema.get(combinator), list):
                return " | ".join(dict.fromkeys(self.body(s) for s in schema[combinator]))
        if schema.get("type") == "array":
            return f"Sequence[{self.body(schema.get('items', {}))}]"
        if schema.get("type") == "object":
            return "Mapping[str, Any]"
        return self.parameter(schema)


def parameters(spec: Spec, op: Operation, types: _Types) -> list[Param]:
    """The operation's parameters as keyword arguments, required first, names made unique."""
    found: list[Param] = []
    taken: set[str] = set()
    for raw in op.parameters():
        location = raw.get("in")
        if location not in _LOCATIONS:
            raise SpecError(
                f"{op.pointer}: parameter {raw.get('name')!r} has an unknown location {location!r}"
            )
        argument = snake(str(raw["name"]))
        if argument in taken:
            argument = f"{argument}_{location}"
        taken.add(argument)
        found.append(
            Param(
                name=str(raw["name"]),
                location=str(location),
                argument=argument,
                annotation=types.parameter(raw.get("schema", {})),
                required=bool(raw.get("required")) or location == "path",
                description=" ".join(str(raw.get("description", "")).split()),
            )
        )
    return sorted(found, key=lambda p: not p.required)


def success_statuses(op: Operation) -> list[str]:
    """The documented 2xx statuses, those with a JSON body first (the first one is the default parse)."""
    found = [s for s in op.statuses if s.isdigit() and 200 <= int(s) < 300]
    return sorted(found, key=lambda s: op.response_schema(int(s)) is None)


def _optional(annotation: str) -> str:
    return annotation if "None" in annotation.split(" | ") else f"{annotation} | None"


def _signature(params: list[Param], body: str | None, body_required: bool) -> str:
    args = ["self", "*"] + [f"{p.argument}: {p.annotation}" for p in params if p.required]
    if body is not None:
        args.append(f"body: {body}" if body_required else f"body: {_optional(body)} = None")
    args += [f"{p.argument}: {_optional(p.annotation)} = None" for p in params if not p.required]
    return ", ".join(args) if len(args) > 2 else "self"


def _docstring(spec: Spec, op: Operation, params: list[Param], returns: str) -> list[str]:
    summary = _doc(str(op.raw.get("summary") or op.operation_id))
    lines = [f'"""{summary}.' if not summary.endswith(".") else f'"""{summary}', ""]
    lines.append(f"``{op.method} {op.path}`` (operationId ``{op.operation_id}``).")
    if op.deprecated:
        lines += ["", "Deprecated: calling it emits a ``DeprecationWarning``."]
    described = [p for p in params if p.description]
    if described:
        lines += ["", "Args:"] + [f"    {p.argument}: {_doc(p.description)}" for p in described]
    lines += ["", f"Returns: ``{returns}``."]
    catalogue = spec.error_catalogue
    raised = [exception_name(catalogue[c].name, c) for c in op.error_codes if c in catalogue]
    if raised:
        lines += [
            "",
            "Raises: " + ", ".join(f"``{n}``" for n in raised) + "; ``UnexpectedResponse`` otherwise.",
        ]
    return [*lines, '"""']


def render_method(spec: Spec, op: Operation, types: _Types, *, is_async: bool) -> list[str]:
    """One client method; the sync and async variants differ only by ``async``/``await``."""
    params = parameters(spec, op, types)
    schema = op.request_schema()
    body = None if schema is None else types.body(schema)
    body_required = bool(spec.deref(op.raw.get("requestBody", {})).get("required"))
    statuses = success_statuses(op)
    if not statuses:
        raise SpecError(f"{op.pointer}/responses: no documented 2xx response")
    aliases = [
        f"envelopes.{alias_name(op.operation_id, s)}" if op.response_schema(int(s)) else "None"
        for s in statuses
    ]
    returns = " | ".join(dict.fromkeys(aliases))
    name = snake(op.operation_id)
    head = "async def" if is_async else "def"
    out = [f"    {head} {name}({_signature(params, body, body_required)}) -> {returns}:"]
    out += [f"        {line}" if line else "" for line in _docstring(spec, op, params, returns)]
    if op.deprecated:
        out.append(
            f'        warnings.warn("{op.operation_id} is deprecated in the API", DeprecationWarning, stacklevel=2)'
        )
    call = [f"_OPERATIONS[{op.operation_id!r}]"]
    for location in _LOCATIONS:
        group = [p for p in params if p.location == location]
        if group:
            call.append(f"{location}={{" + ", ".join(f"{p.name!r}: {p.argument}" for p in group) + "}")
    if body is not None:
        call.append("body=body")
    out.append(f"        response = {'await ' if is_async else ''}self._send({', '.join(call)})")
    parse = {
        alias: "None" if alias == "None" else f"_parse({call[0]}, response, {alias})" for alias in aliases
    }
    for status, alias in list(zip(statuses, aliases, strict=True))[1:]:
        out.append(f"        if response.status_code == {status}:")
        out.append(f"            return {parse[alias]}")
    out.append(f"        return {parse[aliases[0]]}")
    return out


def _operation_table(spec: Spec) -> list[str]:
    out = ["_OPERATIONS: dict[str, Operation] = {"]
    for op in sorted(spec.operations, key=lambda o: o.operation_id):
        success = tuple(int(s) for s in success_statuses(op))
        errors = tuple(int(s) for s in op.statuses if s.isdigit() and int(s) >= 400)
        out.append(
            f"    {op.operation_id!r}: Operation({op.operation_id!r}, {op.method!r}, {op.path!r}, "
            f"success={success!r}, error_statuses={errors!r}, error_codes=frozenset({sorted(op.error_codes)!r})),"
        )
    return [*out, "}", '"""operationId → what the client needs to call it and judge its answers."""']


def _exceptions(spec: Spec) -> tuple[list[str], list[str]]:
    out: list[str] = []
    names: list[str] = []
    table = ["ERRORS: dict[int, type[ApiError]] = {"]
    used: set[str] = set()
    for code, entry in sorted(spec.error_catalogue.items()):
        name = exception_name(entry.name, code)
        if name in used:
            name = f"{name[: -len('Error')]}{code}Error"
        used.add(name)
        names.append(name)
        out += [
            "",
            "",
            f"class {name}(ApiError):",
            f'    """{code} ({entry.status}): {_doc(entry.message)}"""',
            "",
            f"    code = {code}",
            f"    status = {entry.status}",
            f"    name = {entry.name!r}",
            f"    documented_message = {entry.message!r}",
        ]
        table.append(f"    {code}: {name},")
    table += ["}", '"""Catalogued code → its exception class."""']
    return [*out, "", "", *table], names


def render_client(spec: Spec) -> str:
    """The source of ``generated/client.py`` for ``spec`` (unformatted; codegen runs ruff)."""
    types = _Types(spec)
    ops = sorted(spec.operations, key=lambda o: o.operation_id)
    names = [snake(op.operation_id) for op in ops]
    if len(set(names)) != len(names):
        raise SpecError("two operationIds give the same client method name", hint="rename one operationId")
    exceptions, exception_names = _exceptions(spec)
    exported = sorted(
        ["ApiError", "AsyncClient", "Client", "ERRORS", "Operation", "UnexpectedResponse", *exception_names]
    )
    lines = [HEADER.rstrip("\n"), _RUNTIME.strip("\n"), ""]
    lines += [f"__all__ = {exported!r}", "", ""]
    lines += _operation_table(spec)
    lines += exceptions
    for cls, is_async in (("Client", False), ("AsyncClient", True)):
        lines += ["", "", f"class {cls}(_{cls}Base):", f'    """{_CLASS_DOCS[cls]}"""']
        for op in ops:
            lines += ["", *render_method(spec, op, types, is_async=is_async)]
    return "\n".join(lines) + "\n"


_CLASS_DOCS = {
    "Client": "The API over ``httpx.Client``: one method per operation, typed envelopes back, typed errors.",
    "AsyncClient": "``Client``'s methods over ``httpx.AsyncClient``, awaited.",
}

_RUNTIME = '''
# Typed client of the API: `Client` and `AsyncClient`, one method per operation of the spec.

from __future__ import annotations

import asyncio
import datetime
import enum
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from generated import envelopes, models

if TYPE_CHECKING:
    from contracts.findings import Finding

ModelT = TypeVar("ModelT", bound=BaseModel)
_RETRY_STATUSES = frozenset({429, 502, 503, 504})
_UNPROCESSED = frozenset({429, 503})
_MAX_PAUSE = 30.0
_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout)


@dataclass(frozen=True)
class Operation:
    """One operation of the spec: how to call it and which answers it documents."""

    operation_id: str
    method: str
    path: str
    success: tuple[int, ...]
    error_statuses: tuple[int, ...]
    error_codes: frozenset[int]


class ApiError(Exception):
    """A documented error answer; one subclass per code of the spec's catalogue."""

    code: ClassVar[int] = 0
    status: ClassVar[int] = 0
    name: ClassVar[str] = ""
    documented_message: ClassVar[str] = ""

    def __init__(self, operation: str, envelope: envelopes.ErrorEnvelope, response: httpx.Response) -> None:
        self.operation = operation
        self.envelope = envelope
        self.response = response
        self.message: str = envelope.errors[0].message
        super().__init__(f"{operation}: {self.status} {self.code} {self.name}: {self.message}")


class UnexpectedResponse(Exception):
    """An answer the operation does not document; ``findings`` are the check registry's verdicts."""

    def __init__(self, operation: str, response: httpx.Response, reason: str, findings: list[Finding]) -> None:
        self.operation = operation
        self.response = response
        self.status = response.status_code
        self.reason = reason
        self.findings = findings
        lines = [f"{operation}: unexpected answer {response.status_code}: {reason}"]
        lines += [f"  {f.check} at {f.pointer or '/'}: {f.message}" for f in findings]
        super().__init__("\\n".join(lines))


def _findings(operation: str, response: httpx.Response) -> list[Finding]:
    """What the project's check registry says about an answer (empty when the spec is not at hand)."""
    from contracts.errors import ContractsError
    from contracts.exchange import Exchange
    from contracts.spec import load_spec
    from contracts.validate import validate_exchange

    try:
        exchange = Exchange(
            operation,
            response.status_code,
            response.content,
            headers=dict(response.headers),
            method=response.request.method,
            url=str(response.request.url),
        )
        return validate_exchange(load_spec(), exchange).findings
    except ContractsError:
        return []


def _parse(op: Operation, response: httpx.Response, model: type[ModelT]) -> ModelT:
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        reason = f"the body does not fit the documented {response.status_code} response ({exc.error_count()} errors)"
        raise UnexpectedResponse(op.operation_id, response, reason, _findings(op.operation_id, response)) from None


def _judge(op: Operation, response: httpx.Response) -> None:
    """Return for a documented success; raise the catalogued error or UnexpectedResponse otherwise."""
    status = response.status_code
    if status in op.success:
        return
    reason = f"status {status} is not documented"
    if status in op.error_statuses:
        try:
            envelope = envelopes.ErrorEnvelope.model_validate_json(response.content)
        except ValidationError:
            reason = "the body is not the error envelope"
        else:
            code = envelope.errors[0].code
            error = ERRORS.get(code)
            if error is not None and code in op.error_codes and error.status == status:
                raise error(op.operation_id, envelope, response)
            reason = f"error code {code} is not documented for this operation with status {status}"
    raise UnexpectedResponse(op.operation_id, response, reason, _findings(op.operation_id, response))


def _dump(value: Any) -> Any:
    """A request body as JSON data: models by alias with only the fields that were set."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return {str(k): _dump(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_dump(v) for v in value]
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def _pairs(values: Mapping[str, Any] | None) -> list[tuple[str, str | int | float | bool | None]]:
    out: list[tuple[str, str | int | float | bool | None]] = []
    for name, value in (values or {}).items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            out.extend((name, _text(v)) for v in value)
        else:
            out.append((name, _text(value)))
    return out


def _pause(
    op: Operation, attempt: int, retries: int, response: httpx.Response | None, *, unsent: bool = False
) -> float | None:
    """Seconds to wait before trying again, or None when the answer (or error) stands.

    A write is tried again only when it cannot have happened: the connection failed, or the
    answer says it was not processed (429, 503).
    """
    if attempt >= retries:
        return None
    idempotent = op.method in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE")
    default = 0.25 * 2.0**attempt
    if response is None:
        return default if idempotent or unsent else None
    if response.status_code not in (_RETRY_STATUSES if idempotent else _UNPROCESSED):
        return None
    raw: str = response.headers.get("retry-after", "").strip()
    try:
        return min(max(float(raw), 0.0), _MAX_PAUSE) if raw else default
    except ValueError:
        return default


class _Base:
    def __init__(
        self,
        base_url: str,
        *,
        auth: tuple[str, str] | None = None,
        token: str | None = None,
        timeout: float | httpx.Timeout = 10.0,
        retries: int = 2,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if auth is not None and token is not None:
            raise ValueError("give auth=(user, password) or token=..., not both")
        if retries < 0:
            raise ValueError("retries must be 0 or more")
        self._base_url = base_url.rstrip("/")
        self._auth = httpx.BasicAuth(*auth) if auth is not None else None
        self._headers = {"Accept": "application/json", **(headers or {})}
        if token is not None:
            self._headers["Authorization"] = f"Bearer {token}"
        self._timeout = timeout
        self._retries = retries
        self.last_response: httpx.Response | None = None
        """The raw answer of the last call (for logging, or a pytest ``contract.validate``)."""

    def _request(
        self,
        http: httpx.Client | httpx.AsyncClient,
        op: Operation,
        path: Mapping[str, Any] | None,
        query: Mapping[str, Any] | None,
        header: Mapping[str, Any] | None,
        cookie: Mapping[str, Any] | None,
        body: Any,
    ) -> httpx.Request:
        url = op.path
        for name, value in (path or {}).items():
            url = url.replace("{" + name + "}", quote(_text(value), safe=""))
        return http.build_request(
            op.method,
            url,
            params=_pairs(query),
            headers={k: str(v) for k, v in _pairs(header)},
            cookies={k: str(v) for k, v in _pairs(cookie)},
            json=None if body is None else _dump(body),
        )


class _ClientBase(_Base):
    def __init__(
        self,
        base_url: str,
        *,
        auth: tuple[str, str] | None = None,
        token: str | None = None,
        timeout: float | httpx.Timeout = 10.0,
        retries: int = 2,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(base_url, auth=auth, token=token, timeout=timeout, retries=retries, headers=headers)
        self._http = httpx.Client(
            base_url=self._base_url, auth=self._auth, headers=self._headers, timeout=timeout, transport=transport
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send(
        self,
        op: Operation,
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        header: Mapping[str, Any] | None = None,
        cookie: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> httpx.Response:
        request = self._request(self._http, op, path, query, header, cookie, body)
        attempt = 0
        while True:
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:
                wait = _pause(op, attempt, self._retries, None, unsent=isinstance(exc, _UNSENT))
                if wait is None:
                    raise
            else:
                wait = _pause(op, attempt, self._retries, response)
                if wait is None:
                    self.last_response = response
                    _judge(op, response)
                    return response
                response.close()
            attempt += 1
            time.sleep(wait)


class _AsyncClientBase(_Base):
    def __init__(
        self,
        base_url: str,
        *,
        auth: tuple[str, str] | None = None,
        token: str | None = None,
        timeout: float | httpx.Timeout = 10.0,
        retries: int = 2,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(base_url, auth=auth, token=token, timeout=timeout, retries=retries, headers=headers)
        self._http = httpx.AsyncClient(
            base_url=self._base_url, auth=self._auth, headers=self._headers, timeout=timeout, transport=transport
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(
        self,
        op: Operation,
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        header: Mapping[str, Any] | None = None,
        cookie: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> httpx.Response:
        request = self._request(self._http, op, path, query, header, cookie, body)
        attempt = 0
        while True:
            try:
                response = await self._http.send(request)
            except httpx.TransportError as exc:
                wait = _pause(op, attempt, self._retries, None, unsent=isinstance(exc, _UNSENT))
                if wait is None:
                    raise
            else:
                wait = _pause(op, attempt, self._retries, response)
                if wait is None:
                    self.last_response = response
                    _judge(op, response)
                    return response
                await response.aclose()
            attempt += 1
            await asyncio.sleep(wait)
'''
