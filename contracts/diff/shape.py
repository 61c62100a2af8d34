"""The shape the diff reads, checked before a document is indexed: one line naming the pointer, not a crash.

A spec may be valid JSON and still not an OpenAPI document (an operation that is a string, a
path item that is a list, ``components.schemas`` a number) or be nested deeper than any real
document; the diff refuses those with a :class:`~contracts.errors.SpecError` (exit 2). Schemas
themselves are checked where the resolver reads them.
"""

from __future__ import annotations

from typing import Any

from contracts.errors import SpecError
from contracts.spec import HTTP_METHODS, join_pointer

MAX_NESTING = 256
"""Objects and arrays nested deeper than this are refused (the project's spec nests about 20)."""
_COMPONENTS = ("schemas", "responses", "parameters", "requestBodies", "x-error-codes")


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else "null"
    )


def _expect(value: Any, kind: type, pointer: str, what: str) -> Any:
    if not isinstance(value, kind):
        wanted = "an object" if kind is dict else "a list"
        raise SpecError(f"{pointer or '/'}: {what} must be {wanted}, not {_kind(value)}")
    return value


def _depth(document: Any, name: str) -> None:
    """Refuse nesting deeper than :data:`MAX_NESTING` (iteratively: no recursion to exhaust)."""
    stack: list[tuple[Any, int, str]] = [(document, 0, "")]
    while stack:
        node, depth, pointer = stack.pop()
        if depth > MAX_NESTING:
            raise SpecError(f"{name}: nested more than {MAX_NESTING} levels deep (at {pointer[:120]}…)")
        if isinstance(node, dict):
            stack.extend((v, depth + 1, join_pointer(pointer, k)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, depth + 1, f"{pointer}/{i}") for i, v in enumerate(node))


def check_shape(raw: Any, name: str) -> None:
    """SpecError unless ``raw`` has the shape of an OpenAPI document where the diff reads it."""
    _depth(raw, name)
    _expect(raw, dict, "", f"{name}: the document")
    paths = _expect(raw.get("paths"), dict, "/paths", f"{name}: 'paths'")
    for path, item in paths.items():
        at = join_pointer("/paths", path)
        _expect(item, dict, at, "a path item")
        _expect(item.get("parameters", []), list, f"{at}/parameters", "parameters")
        for method in HTTP_METHODS:
            if method not in item:
                continue
            op_at = join_pointer(at, method)
            op = _expect(item[method], dict, op_at, "an operation")
            _expect(op.get("parameters", []), list, f"{op_at}/parameters", "parameters")
            _expect(op.get("responses", {}), dict, f"{op_at}/responses", "responses")
            _expect(op.get("requestBody", {}), dict, f"{op_at}/requestBody", "a request body")
    components = _expect(raw.get("components", {}), dict, "/components", "components")
    for key in _COMPONENTS:
        table = _expect(components.get(key, {}), dict, f"/components/{key}", f"components.{key}")
        if key == "x-error-codes":
            for code, entry in table.items():
                _expect(entry, dict, join_pointer("/components", key, code), "an error-code entry")
