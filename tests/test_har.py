"""HAR captures become exchanges matched to operations by method and path."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from contracts.errors import UsageError
from contracts.exchange import Exchange
from contracts.har import Unmatched, exchanges, is_har
from contracts.spec import Spec

PAYLOADS = Path(__file__).resolve().parent / "payloads"


def entry(method: str, url: str, status: int, body: Any, *, b64: bool = False) -> dict[str, Any]:
    text = json.dumps(body)
    content: dict[str, Any] = {"mimeType": "application/json", "text": text}
    if b64:
        content = {
            "mimeType": "application/json",
            "text": base64.b64encode(text.encode()).decode(),
            "encoding": "base64",
        }
    return {
        "request": {
            "method": method,
            "url": url,
            "headers": [{"name": "Authorization", "value": "Basic eDp5"}],
        },
        "response": {
            "status": status,
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "content": content,
        },
    }


def har(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"log": {"version": "1.2", "entries": list(entries)}}


def test_entries_are_matched_and_decoded(spec: Spec) -> None:
    channels = json.loads((PAYLOADS / "get-target-channels__response__200__1.json").read_text())
    doc = har(
        entry("GET", "https://eu.api.capillarytech.com/v3/targetGroups/channels", 200, channels),
        entry(
            "get",
            "https://eu.api.capillarytech.com/v3/targetGroups/18044?includePeriods=true",
            404,
            {},
            b64=True,
        ),
        entry("GET", "https://eu.api.capillarytech.com/v2/customers", 200, {}),
    )
    assert is_har(doc)
    got = list(exchanges(spec, doc))
    assert (
        isinstance(got[0], Exchange) and got[0].operation == "get-target-channels" and got[0].json == channels
    )
    assert isinstance(got[1], Exchange) and got[1].operation == "get-target-groups-id" and got[1].json == {}
    assert got[2] == Unmatched(2, "GET", "https://eu.api.capillarytech.com/v2/customers")


def test_broken_entry_is_a_usage_error(spec: Spec) -> None:
    with pytest.raises(UsageError, match="HAR entry 0: response must be an object, not null"):
        list(exchanges(spec, har({"request": {}})))


def test_aborted_entry_is_unmatched_with_a_reason(spec: Spec) -> None:
    doc = har(entry("GET", "https://h/v3/targetGroups/channels", 0, {}))
    [item] = list(exchanges(spec, doc))
    assert isinstance(item, Unmatched)
    assert item.reason == "got no response (status 0)"


def test_base_path_and_repeated_headers(spec: Spec) -> None:
    doc = har(entry("GET", "https://h/api/v3/targetGroups/channels", 200, {"data": [], "errors": None}))
    doc["log"]["entries"][0]["response"]["headers"] += [
        {"name": "Set-Cookie", "value": "a=1"},
        {"name": "Set-Cookie", "value": "b=2"},
    ]
    assert isinstance(next(exchanges(spec, doc)), Unmatched)
    [item] = list(exchanges(spec, doc, base_path="/api"))
    assert isinstance(item, Exchange) and item.operation == "get-target-channels"
    assert item.headers["Set-Cookie"] == ["a=1", "b=2"]
    assert item.header_map["set-cookie"] == "a=1, b=2"


def test_repeated_request_headers_are_one_string(spec: Spec) -> None:
    """Request headers are read as the request side reads them: a repeated one's values joined, in
    the place of its first occurrence."""
    doc = har(entry("GET", "https://h/v3/targetGroups/channels", 200, {"data": [], "errors": None}))
    doc["log"]["entries"][0]["request"]["headers"] = [
        {"name": "X-Trace", "value": "a"},
        {"name": "Accept", "value": "*/*"},
        {"name": "X-Trace", "value": ""},
        {"name": "X-Trace", "value": "c"},
    ]
    [item] = list(exchanges(spec, doc))
    assert isinstance(item, Exchange)
    assert list(item.request_headers.items()) == [("X-Trace", "a, , c"), ("Accept", "*/*")]


def test_bad_base64_and_bad_entries_are_usage_errors(spec: Spec) -> None:
    doc = har(entry("GET", "https://h/v3/targetGroups/channels", 200, {}))
    doc["log"]["entries"][0]["response"]["content"] = {"text": "%%%", "encoding": "base64"}
    with pytest.raises(
        UsageError, match=r"HAR entry 0: response\.content\.text is marked base64 but is not base64"
    ):
        list(exchanges(spec, doc))
    with pytest.raises(UsageError, match="must be an array, not an object"):
        list(exchanges(spec, {"log": {"entries": {}}}))


def test_a_body_is_not_a_har() -> None:
    body = json.loads((PAYLOADS / "get-targets__response__200__1.json").read_text())
    assert not is_har(body)
    assert not is_har([{"log": {"entries": []}}])


def test_the_plain_url_path_is_the_one_urlsplit_reads() -> None:
    """har._path's fast path for plain URLs agrees with urllib.parse.urlsplit, and leaves it the rest."""
    from urllib.parse import urlsplit

    from contracts.har import _path

    urls = [
        "https://h/v3/targetGroups/1?x=1#f",
        "https://h",
        "https://h?x",
        "https://h#/a",
        "http://u@h:80/p",
        "https://h//p",
        "https://h/p;x?y",
        "https://h/a b",
        "https://h/a\tb",
        " https://h/p",
        "HTTPS://h/p",
        "https://[::1]/p",
        "https://h/é",
        "https://h/p?q=[1]",
        "https://h/p\x7f",
        "/v3/targetGroups",
        "ftp://h/p",
    ]
    for url in urls:
        assert _path(0, url) == urlsplit(url).path, url
