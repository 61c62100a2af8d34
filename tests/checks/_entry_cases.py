"""Captured exchanges for the entry differential test: every real payload as a HAR entry, and mutants.

Each case is one HAR entry (built from a real response payload of ``tests/payloads``, its operation's
real request body when there is one), and :func:`verdict` is what ``contracts validate`` makes of it
in a worker: an Unmatched, the one-line UsageError, or the findings of both sides in order, and the
registry's raw (not de-duplicated, strict) stream. ``entry_findings.json.gz`` holds the verdicts of the
code before the per-entry fast paths (commit f89359f); the test holds today's code to them.

Regenerate only for a deliberate change of verdicts (and say so in the commit):
``.venv/bin/python tests/checks/_entry_cases.py``.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"
GOLDEN = Path(__file__).resolve().parent / "entry_findings.json.gz"
HOST = "https://eu.api.capillarytech.com"
_DATE = re.compile(r"^\d{4}-\d\d-\d\d")

Body = Any
Mutation = Callable[[Body], Body]


def _walk(node: Any, visit: Callable[[Any], None]) -> None:
    visit(node)
    for value in node.values() if isinstance(node, dict) else node if isinstance(node, list) else ():
        _walk(value, visit)


def _mapped(node: Any, leaf: Callable[[str | None, Any], Any], key: str | None = None) -> Any:
    if isinstance(node, dict):
        return {k: _mapped(v, leaf, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_mapped(v, leaf, key) for v in node]
    return leaf(key, node)


def _id_string(body: Body) -> Body:
    def leaf(key: str | None, value: Any) -> Any:
        ided = key is not None and (key == "id" or key.endswith("Id"))
        return str(value) if ided and isinstance(value, int) and not isinstance(value, bool) else value

    return _mapped(body, leaf)


def _undeclared(body: Body) -> Body:
    body = copy.deepcopy(body)
    _walk(body, lambda n: n.__setitem__("zzUndeclared", 1) if isinstance(n, dict) else None)
    return body


def _enum_values(spec: Any) -> set[str]:
    return {v for e in spec.enums.values() for v in e.values if isinstance(v, str)}


def _enum_wrong(values: set[str], *, casing: bool) -> Mutation:
    def leaf(key: str | None, value: Any) -> Any:
        if isinstance(value, str) and value in values:
            return value.lower().replace("_", "-") if casing else "NOT_DOCUMENTED"
        return value

    return lambda body: _mapped(body, leaf)


def _missing_required(body: Body) -> Body:
    """The first key of every object below the root dropped (the envelope keeps its keys)."""
    body = copy.deepcopy(body)

    def drop(node: Any) -> None:
        if isinstance(node, dict) and node and node is not body:
            del node[next(iter(node))]

    _walk(body, drop)
    return body


def _without(key: str) -> Mutation:
    return lambda body: {k: v for k, v in body.items() if k != key} if isinstance(body, dict) else body


def _set(key: str, value: Any) -> Mutation:
    return lambda body: {**body, key: value} if isinstance(body, dict) else body


def _codes(code: int) -> Mutation:
    def mutate(body: Body) -> Body:
        if not isinstance(body, dict):
            return body
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            return {**body, "errors": [{**e, "code": code} if isinstance(e, dict) else e for e in errors]}
        return {**body, "errors": [{"code": code, "message": "planted"}]}

    return mutate


def _dates_wrong(body: Body) -> Body:
    def leaf(key: str | None, value: Any) -> Any:
        return "01/02/2024 10:00" if isinstance(value, str) and _DATE.match(value) else value

    return _mapped(body, leaf)


def _bigint(body: Body) -> Body:
    def leaf(key: str | None, value: Any) -> Any:
        return 2**70 if key == "id" and isinstance(value, int) else value

    return _mapped(body, leaf)


def _url(op: Any, value: str = "18044", query: str = "") -> str:
    path = re.sub(r"\{[^}]+\}", value, op.path)
    return f"{HOST}{path}{'?' + query if query else ''}"


def _query_value(schema: dict[str, Any], *, bad: bool) -> str:
    if bad:
        return "not-a-value"
    for key in ("default", "example"):
        if key in schema:
            return str(json.dumps(schema[key]) if isinstance(schema[key], bool) else schema[key])
    if isinstance(schema.get("enum"), list):
        return str(schema["enum"][0])
    return {"integer": "5", "boolean": "true", "number": "1.5"}.get(str(schema.get("type")), "x")


def _query(spec: Any, op: Any, *, bad: bool) -> str:
    parts = []
    for param in op.parameters():
        if param["in"] == "query":
            schema = spec.deref(param.get("schema", {}))
            parts.append(f"{param['name']}={_query_value(schema, bad=bad)}")
    return "&".join(parts + (["zzUndeclared=1"] if bad else []))


def har_entry(
    method: str,
    url: str,
    status: int,
    body: bytes | None,
    *,
    content_type: str | None = "application/json",
    request: bytes | None = None,
    request_type: str | None = "application/json",
    response_headers: list[dict[str, str]] | None = None,
    request_headers: list[dict[str, str]] | None = None,
    encoding: str | None = None,
) -> dict[str, Any]:
    """A Chrome-like HAR entry; ``body`` None: no ``content.text``."""
    headers = [{"name": "Content-Type", "value": content_type}] if content_type is not None else []
    sent = [{"name": "Content-Type", "value": request_type}] if request_type is not None else []
    content: dict[str, Any] = {"mimeType": content_type or "", "size": len(body or b"")}
    if body is not None:
        content["text"] = base64.b64encode(body).decode() if encoding else body.decode("utf-8")
    if encoding:
        content["encoding"] = encoding
    entry: dict[str, Any] = {
        "startedDateTime": "2026-12-01T10:00:00.000Z",
        "request": {
            "method": method,
            "url": url,
            "headers": [*sent, {"name": "Accept", "value": "application/json"}, *(request_headers or [])],
            "queryString": [],
        },
        "response": {
            "status": status,
            "headers": [*headers, *(response_headers or [])],
            "content": content,
        },
    }
    if request is not None:
        entry["request"]["postData"] = {"mimeType": request_type or "", "text": request.decode("utf-8")}
    return entry


def _dump(body: Body) -> bytes:
    return json.dumps(body, indent=2).encode()


def _real_responses(spec: Any) -> Iterator[tuple[str, Any, int, Body]]:
    for path in sorted(PAYLOADS.glob("*__response__*.json")):
        slug, _, label = path.stem.split("__")[:3]
        body = json.loads(path.read_text(encoding="utf-8"))
        status = spec.error_catalogue[body["errors"][0]["code"]].status if label == "error" else int(label)
        yield path.stem, spec.operation(slug), status, body


def _request_of(slug: str) -> Body | None:
    found = sorted(PAYLOADS.glob(f"{slug}__request__*.json"))
    return json.loads(found[0].read_text(encoding="utf-8")) if found else None


def cases(spec: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, HAR entry) for every real response payload and each of its mutants, in a fixed order."""
    values = _enum_values(spec)
    other_status = {c.status for c in spec.error_catalogue.values()}
    body_mutations: dict[str, Mutation] = {
        "real": lambda b: b,
        "id-string": _id_string,
        "undeclared-everywhere": _undeclared,
        "enum-wrong": _enum_wrong(values, casing=False),
        "enum-casing": _enum_wrong(values, casing=True),
        "missing-required": _missing_required,
        "no-data": _without("data"),
        "no-errors": _without("errors"),
        "data-null": _set("data", None),
        "errors-object": _set("errors", {"code": 1}),
        "errors-bad-entries": _set("errors", [1, {"code": True, "message": 5}, {"code": "x"}]),
        "warnings-string": _set("warnings", "w"),
        "code-uncatalogued": _codes(999999),
        "code-sentinel": _codes(0),
        "dates-wrong": _dates_wrong,
        "body-array": lambda b: [b],
    }
    for stem, op, status, body in _real_responses(spec):
        slug = stem.split("__")[0]
        request = _request_of(slug)
        sent = None if request is None else _dump(request)
        url = _url(op)
        for name, mutate in body_mutations.items():
            yield f"{stem}:{name}", har_entry(op.method, url, status, _dump(mutate(body)), request=sent)
        raw = _dump(body)
        codes = [c.code for c in spec.error_catalogue.values() if c.status != status]
        if status >= 400 and codes:
            yield (
                f"{stem}:code-wrong-status",
                har_entry(op.method, url, status, _dump(_codes(codes[0])(body))),
            )
        if op.error_codes:
            yield (
                f"{stem}:code-not-documented",
                har_entry(
                    op.method,
                    url,
                    status,
                    _dump(_codes(next(c for c in spec.error_catalogue if c not in op.error_codes))(body)),
                ),
            )
        variants: dict[str, dict[str, Any]] = {
            "bigint-id": {"body": json.dumps(_bigint(body)).encode()},
            "ct-text": {"content_type": "text/plain"},
            "ct-none": {"content_type": None},
            "ct-charset": {"content_type": "application/json; charset=utf-8"},
            "ct-upper": {"content_type": "Application/JSON"},
            "ct-problem": {"content_type": "application/problem+json"},
            "not-json": {"body": b"<html>Bad gateway</html>"},
            "not-json-text": {"body": b"<html>Bad gateway</html>", "content_type": "text/html"},
            "empty-body": {"body": b""},
            "no-text": {"body": None},
            "base64": {"encoding": "base64"},
            "status-undocumented": {"status": 418},
            "status-299": {"status": 299},
            "status-500": {"status": 500},
            "status-other": {"status": 400 if status < 300 else 200},
            "status-error-code": {"status": sorted(other_status)[0]},
            "headers-repeated": {
                "response_headers": [
                    {"name": "content-type", "value": "application/json"},
                    {"name": "X-Trace", "value": "a"},
                    {"name": "X-Trace", "value": "b"},
                ]
            },
            "req-none": {"request": None},
            "req-id-string": {"request": None if request is None else _dump(_id_string(request))},
            "req-undeclared": {"request": None if request is None else _dump(_undeclared(request))},
            "req-missing-required": {
                "request": None if request is None else _dump(_missing_required({"x": request})["x"])
            },
            "req-enum-wrong": {
                "request": None if request is None else _dump(_enum_wrong(values, casing=False)(request))
            },
            "req-not-json": {"request": b"{not json"},
            "req-empty": {"request": b"  "},
            "req-ct-text": {"request_type": "text/plain"},
            "req-ct-none": {"request_type": None},
            "req-ct-charset": {"request_type": "application/json; charset=utf-8"},
            "req-path-text": {"url": _url(op, "abc")},
            "req-path-negative": {"url": _url(op, "-5")},
            "req-query-good": {"url": _url(op, query=_query(spec, op, bad=False))},
            "req-query-bad": {"url": _url(op, query=_query(spec, op, bad=True))},
            "req-query-empty": {"url": url + "?"},
            "req-headers": {
                "request_headers": [
                    {"name": "DATA-SCOPE", "value": "SELF"},
                    {"name": "data-scope-org", "value": "not-a-value"},
                    {"name": "X-Trace", "value": "a"},
                    {"name": "X-Trace", "value": "b"},
                ]
            },
            "req-method-lower": {"method": op.method.lower()},
            "url-trailing-slash": {"url": url + "/"},
            "url-fragment": {"url": url + "#part"},
            "url-unmatched": {"url": f"{HOST}/v3/nothing/here"},
            "url-no-host": {"url": url[len(HOST) :]},
            "method-other": {"method": "PATCH"},
            "status-0": {"status": 0},
        }
        for name, change in variants.items():
            args: dict[str, Any] = {
                "method": op.method,
                "url": url,
                "status": status,
                "body": raw,
                "request": sent,
                **change,
            }
            yield (
                f"{stem}:{name}",
                har_entry(args.pop("method"), args.pop("url"), args.pop("status"), args.pop("body"), **args),
            )
    yield from _broken(spec)


def _broken(spec: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Entries that cannot be judged: each is one UsageError naming the field."""
    op = spec.operation("get-target-groups-id")
    good = har_entry("GET", _url(op), 200, b"{}")
    shapes: dict[str, Callable[[dict[str, Any]], None]] = {
        "status-float": lambda e: e["response"].__setitem__("status", 200.5),
        "status-bool": lambda e: e["response"].__setitem__("status", True),
        "status-big": lambda e: e["response"].__setitem__("status", 1000),
        "method-space": lambda e: e["request"].__setitem__("method", "GE T"),
        "url-number": lambda e: e["request"].__setitem__("url", 5),
        "url-bad-ipv6": lambda e: e["request"].__setitem__("url", "http://[::1/v3/targetGroups"),
        "headers-object": lambda e: e["response"].__setitem__("headers", {"a": "b"}),
        "header-number": lambda e: e["response"].__setitem__("headers", [{"name": "a", "value": 5}]),
        "header-not-object": lambda e: e["request"].__setitem__("headers", ["x"]),
        "content-string": lambda e: e["response"].__setitem__("content", "x"),
        "encoding-gzip": lambda e: e["response"]["content"].__setitem__("encoding", "gzip"),
        "base64-broken": lambda e: e["response"]["content"].update(encoding="base64", text="!!"),
        "postdata-number": lambda e: e["request"].__setitem__("postData", {"text": 5}),
        "no-response": lambda e: e.pop("response"),
        "request-array": lambda e: e.__setitem__("request", []),
        "deep-body": lambda e: e["response"]["content"].__setitem__("text", "[" * 200 + "]" * 200),
    }
    for name, breaks in shapes.items():
        entry = copy.deepcopy(good)
        breaks(entry)
        yield f"broken:{name}", entry
    yield "broken:entry-array", []  # type: ignore[misc]


def verdict(spec: Any, entry: Any) -> Any:
    """What one entry comes to, as plain JSON: the judge of ``contracts validate`` (both sides), and
    the response registry's raw stream (strict: every severity escalated) of the matched exchange."""
    from contracts import checks
    from contracts.errors import UsageError
    from contracts.exchange import Exchange
    from contracts.har import Unmatched, entry_item
    from contracts.validate import SideJudge, _judge_entry

    judge = SideJudge(spec, "both", None)
    try:
        judged = _judge_entry(spec, 7, entry, judge)
    except UsageError as exc:
        return {"usage": exc.message, "hint": exc.hint}
    if isinstance(judged, Unmatched):
        return {"unmatched": [judged.index, judged.method, judged.url, judged.reason]}
    item = entry_item(spec, 7, entry)
    assert isinstance(item, Exchange)
    raw = list(checks.iter_findings(spec, item, checks.select(), strict=True))
    return {"judged": [f.to_dict() for f in judged], "raw": [f.to_dict() for f in raw]}


def entry_of(entry: Any) -> Any:
    """``entry`` as a worker gets it: HAR bytes parsed by the standard library (big integers exact)."""
    return json.loads(json.dumps(entry))


def verdicts(spec: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, entry in cases(spec):
        assert name not in found, name
        found[name] = json.loads(json.dumps(verdict(spec, entry_of(entry)), default=repr, sort_keys=True))
    return found


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from contracts.spec import load_spec

    text = json.dumps(verdicts(load_spec()), indent=1, sort_keys=True) + "\n"
    GOLDEN.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))


def golden() -> dict[str, Any]:
    """The recorded verdicts, case name → verdict."""
    found: dict[str, Any] = json.loads(gzip.decompress(GOLDEN.read_bytes()))
    return found


if __name__ == "__main__":
    main()
