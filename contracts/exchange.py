"""One request/response pair as the checks see it, whatever produced it.

Adapters build an :class:`Exchange` from httpx, starlette's TestClient (also httpx), schemathesis
responses and HAR entries; no check knows where a response came from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

import orjson

from contracts.cached import cached
from contracts.types import JSON

_MISSING: Any = object()


@dataclass(frozen=True)
class Exchange:
    """A response to judge, with enough of its request to reproduce it."""

    operation: str
    status: int
    body: bytes = b""
    headers: Mapping[str, str | list[str]] = field(default_factory=dict)
    """Response headers; a repeated header may come as a list of values."""
    method: str = "GET"
    url: str = ""
    request_headers: Mapping[str, str] = field(default_factory=dict)
    request_body: bytes | None = None
    path_params: Mapping[str, str] | None = None
    """The URL's path parameters when whoever built the exchange matched it already (None: unknown)."""

    @cached
    def header_map(self) -> dict[str, str]:
        """Headers with lower-case names."""
        return {
            k.lower(): ", ".join(v) if isinstance(v, (list, tuple)) else v for k, v in self.headers.items()
        }

    @property
    def content_type(self) -> str | None:
        """The media type without parameters (``application/json``), or None when absent."""
        raw = self.header_map.get("content-type")
        return raw.split(";", 1)[0].strip().lower() if raw else None

    @cached
    def _parsed(self) -> Any:
        if not self.body:
            return _MISSING
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            pass  # orjson refuses a few valid documents (integers beyond 64 bits): ask the stdlib
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return _MISSING

    @property
    def is_json(self) -> bool:
        """True when the body parses as JSON."""
        return self._parsed is not _MISSING

    @property
    def json(self) -> JSON:
        """The parsed body; ValueError when the body is not JSON (check :attr:`is_json` first)."""
        if self._parsed is _MISSING:
            raise ValueError("response body is not JSON")
        return self._parsed

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def error_codes(self) -> tuple[int, ...]:
        """The integer ``errors[].code`` values of the envelope (empty when the body is no envelope)."""
        body = self._parsed
        errors = body.get("errors") if isinstance(body, dict) else None
        return tuple(
            e["code"]
            for e in (errors if isinstance(errors, list) else ())
            if isinstance(e, dict) and isinstance(e.get("code"), int) and not isinstance(e["code"], bool)
        )

    @classmethod
    def of(
        cls,
        *,
        operation: str,
        status: int,
        body: bytes,
        headers: Mapping[str, str | list[str]],
        method: str,
        url: str,
        request_headers: Mapping[str, str],
        request_body: bytes | None,
        path_params: Mapping[str, str] | None,
    ) -> Exchange:
        """An exchange of every field, set in one step, not by the frozen ``__init__``'s
        ``object.__setattr__`` a field (a capture builds one per entry; 3x faster). Every field is a
        required keyword, so none is left unset (the type checker says which)."""
        exchange = object.__new__(cls)
        given = (operation, status, body, headers, method, url, request_headers, request_body, path_params)
        exchange.__dict__.update(zip(_FIELDS, given, strict=True))
        return exchange

    @classmethod
    def from_json(cls, operation: str, status: int, body: JSON, **kwargs: Any) -> Exchange:
        """An exchange for a captured body (``contracts validate`` on a saved file)."""
        headers = kwargs.pop("headers", {"Content-Type": "application/json"})
        return cls(operation, status, json.dumps(body).encode(), headers=headers, **kwargs)


_FIELDS = tuple(f.name for f in fields(Exchange))
"""The fields in declaration order, as :meth:`Exchange.of` takes them."""
