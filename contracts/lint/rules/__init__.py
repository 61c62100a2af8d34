"""The house rules: what this API's spec must look like beyond being valid OpenAPI.

One module per family (operations, responses, error codes, schemas, examples), one small
function per rule; the conventions they enforce are in docs/spec-conventions.md and spec/NOTES.md.
Findings point where the defect is written: through a ``$ref`` to the shared component.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contracts.spec import Operation, Spec, join_pointer

JSON_MEDIA = "application/json"


def follow(spec: Spec, node: Any, pointer: str) -> tuple[str, Any]:
    """``node`` (at ``pointer``) with its local ``$ref`` chain followed, and where it really is."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
        seen.add(node["$ref"])
        pointer = node["$ref"][1:]
        node = spec.deref({"$ref": node["$ref"]})
    return pointer, node


def json_media(op: Operation) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(status or ``"request"``, pointer, media object) for each JSON body of ``op``."""
    body = op.raw.get("requestBody")
    if body is not None:
        where, resolved = follow(op.spec, body, join_pointer(op.pointer, "requestBody"))
        media = resolved.get("content", {}).get(JSON_MEDIA)
        if isinstance(media, dict):
            yield "request", join_pointer(where, "content", JSON_MEDIA), media
    for status, response in op.raw.get("responses", {}).items():
        where, resolved = follow(op.spec, response, join_pointer(op.pointer, "responses", status))
        media = resolved.get("content", {}).get(JSON_MEDIA) if isinstance(resolved, dict) else None
        if isinstance(media, dict):
            yield status, join_pointer(where, "content", JSON_MEDIA), media


def media_examples(op: Operation) -> Iterator[tuple[str, str, dict[str, Any], Any]]:
    """(status or ``"request"``, pointer of the value, media object, example value) of ``op``."""
    for status, base, media in json_media(op):
        if "example" in media:
            yield status, join_pointer(base, "example"), media, media["example"]
        for name, example in media.get("examples", {}).items():
            where, resolved = follow(op.spec, example, join_pointer(base, "examples", name))
            if isinstance(resolved, dict) and "value" in resolved:
                yield status, join_pointer(where, "value"), media, resolved["value"]
