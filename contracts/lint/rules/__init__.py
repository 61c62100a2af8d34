"""The house rules: what this API's spec must look like beyond being valid OpenAPI.

One module per family (operations, responses, error codes, schemas, examples), one small
function per rule; the conventions they enforce are in docs/spec-conventions.md and spec/NOTES.md.
Findings point where the defect is written: through a ``$ref`` to the shared component.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contracts.errors import SpecError
from contracts.schemas import JSON_MEDIA, json_media
from contracts.spec import Operation, Spec, join_pointer

__all__ = ["JSON_MEDIA", "follow", "json_media", "media_examples", "op_json_media"]


def follow(spec: Spec, node: Any, pointer: str) -> tuple[str, Any]:
    """``node`` (at ``pointer``) with its local ``$ref`` chain followed, and where it really is.

    A dangling or circular ``$ref`` gives ``{}`` (refs_resolvable reports it), so rules read on.
    """
    if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
        return pointer, node
    targets: dict[str, tuple[str, Any]] = spec.schemas.memo("lint.follow", dict)
    ref = node["$ref"]
    found = targets.get(ref)
    if found is None:
        found = targets[ref] = _follow(spec, node, pointer)
    return found


def _follow(spec: Spec, node: Any, pointer: str) -> tuple[str, Any]:
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
        seen.add(node["$ref"])
        pointer = node["$ref"][1:]
        try:
            node = spec.deref({"$ref": node["$ref"]})
        except SpecError:
            return pointer, {}
    return pointer, node


def op_json_media(op: Operation) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(status or ``"request"``, pointer, media object) for each JSON body of ``op``."""
    body = op.raw.get("requestBody")
    if body is not None:
        where, resolved = follow(op.spec, body, join_pointer(op.pointer, "requestBody"))
        media = json_media(resolved)
        if media is not None:
            yield "request", join_pointer(where, "content", JSON_MEDIA), media
    responses = op.raw.get("responses")
    for status, response in (responses if isinstance(responses, dict) else {}).items():
        where, resolved = follow(op.spec, response, join_pointer(op.pointer, "responses", status))
        media = json_media(resolved)
        if media is not None:
            yield status, join_pointer(where, "content", JSON_MEDIA), media


def media_examples(op: Operation) -> Iterator[tuple[str, str, dict[str, Any], Any]]:
    """(status or ``"request"``, pointer of the value, media object, example value) of ``op``."""
    for status, base, media in op_json_media(op):
        if "example" in media:
            yield status, join_pointer(base, "example"), media, media["example"]
        named = media.get("examples")
        for name, example in (named if isinstance(named, dict) else {}).items():
            where, resolved = follow(op.spec, example, join_pointer(base, "examples", name))
            if isinstance(resolved, dict) and "value" in resolved:
                yield status, join_pointer(where, "value"), media, resolved["value"]
