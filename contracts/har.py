"""HAR captures (browser dev tools, proxies) as :class:`~contracts.exchange.Exchange` objects."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from contracts.errors import UsageError
from contracts.exchange import Exchange
from contracts.spec import Spec


@dataclass(frozen=True)
class Unmatched:
    """A HAR entry no operation of the spec serves."""

    index: int
    method: str
    url: str


def is_har(document: Any) -> bool:
    return (
        isinstance(document, dict) and isinstance(document.get("log"), dict) and "entries" in document["log"]
    )


def _headers(items: Any) -> dict[str, str]:
    return {
        h["name"]: h["value"] for h in items or [] if isinstance(h, dict) and "name" in h and "value" in h
    }


def _body(content: dict[str, Any]) -> bytes:
    text = content.get("text") or ""
    if content.get("encoding") == "base64":
        try:
            return base64.b64decode(text)
        except (binascii.Error, ValueError):
            raise UsageError("a HAR entry has a body marked base64 that is not base64") from None
    return str(text).encode()


def exchanges(spec: Spec, document: Any, *, base_path: str = "") -> Iterator[Exchange | Unmatched]:
    """One Exchange per entry the spec serves (matched by method and path), else an Unmatched."""
    for index, entry in enumerate(document["log"]["entries"]):
        try:
            request, response = entry["request"], entry["response"]
            method, url, status = str(request["method"]).upper(), str(request["url"]), int(response["status"])
        except (KeyError, TypeError, ValueError):
            raise UsageError(
                f"HAR entry {index} lacks request.method, request.url or response.status"
            ) from None
        path = urlsplit(url).path
        if base_path and path.startswith(base_path):
            path = path[len(base_path) :]
        found = spec.match(method, path)
        if found is None:
            yield Unmatched(index, method, url)
            continue
        post = request.get("postData") or {}
        yield Exchange(
            operation=found[0].operation_id,
            status=status,
            body=_body(response.get("content") or {}),
            headers=_headers(response.get("headers")),
            method=method,
            url=url,
            request_headers=_headers(request.get("headers")),
            request_body=str(post["text"]).encode() if "text" in post else None,
        )
