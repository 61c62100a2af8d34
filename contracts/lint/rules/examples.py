"""Every example validates against its schema, however OpenAPI lets it be written.

``example`` and ``examples`` (inline or ``$ref`` to ``components.examples``) on media types and
parameters, and ``example`` / ``examples: [...]`` inside schemas themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contracts.findings import Finding
from contracts.lint import finding, rule
from contracts.lint.rules import follow, media_examples
from contracts.lint.rules.operations import declared_parameters
from contracts.lint.structure import objects
from contracts.spec import Operation, Spec, escape_token, join_pointer

NOT_SCHEMAS = ("/properties", "/patternProperties", "/$defs", "/definitions", "/dependentSchemas")
"""Maps of names to schemas: their keys are names (a property may be called ``example``)."""


def _parameter_examples(op: Operation) -> Iterator[tuple[str, dict[str, Any], Any]]:
    for where, param in declared_parameters(op):
        schema = param.get("schema")
        if not isinstance(schema, dict):
            continue
        if "example" in param:
            yield join_pointer(where, "example"), schema, param["example"]
        named = param.get("examples")
        for name, example in (named if isinstance(named, dict) else {}).items():
            at, resolved = follow(op.spec, example, join_pointer(where, "examples", name))
            if isinstance(resolved, dict) and "value" in resolved:
                yield join_pointer(at, "value"), schema, resolved["value"]


def _examples(op: Operation) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(pointer of the value, schema, value) of every example of ``op``."""
    for _, pointer, media, value in media_examples(op):
        if isinstance(media.get("schema"), dict):
            yield pointer, media["schema"], value
    yield from _parameter_examples(op)


def _is_schema(path: str) -> bool:
    """Whether the object at ``path`` sits where OpenAPI puts a schema (not a name map)."""
    if path.endswith(NOT_SCHEMAS) or path == "/components/schemas":
        return False
    return path.startswith("/components/schemas/") or "/schema/" in f"{path}/"


def schema_examples(spec: Spec) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(pointer, schema, value) of every ``example`` and ``examples`` item written inside a schema."""
    for path, node, in_example in objects(spec):
        if in_example or not _is_schema(path):
            continue
        if "example" in node:
            yield f"{path}/example", node, node["example"]
        if isinstance(node.get("examples"), list):
            for index, value in enumerate(node["examples"]):
                yield f"{path}/examples/{index}", node, value


@rule(hint="fix the example or the schema; examples are real payloads")
def example_valid(spec: Spec) -> Iterator[Finding]:
    """Every example validates against the schema of its media type or parameter."""
    found: list[tuple[Operation | None, str, dict[str, Any], Any]] = [
        (op, pointer, schema, value) for op in spec.operations for pointer, schema, value in _examples(op)
    ]
    found += [(None, pointer, schema, value) for pointer, schema, value in schema_examples(spec)]
    if not found:
        return
    # One validator for all: example i is item i of an array whose prefixItems are their schemas,
    # so the components compile once (the checks compile the same way, so verdicts agree).
    validator = spec.schemas.compile({"type": "array", "prefixItems": [schema for _, _, schema, _ in found]})
    reported: set[str] = set()
    for error in validator.iter_errors([value for *_, value in found]):
        if not error.instance_path:
            continue  # the wrapping array itself cannot fail: it has one item per example
        index, *inner = error.instance_path
        op, pointer = found[int(index)][:2]
        where = "".join(f"/{escape_token(str(t))}" for t in inner)
        if pointer + where not in reported:  # a shared example is reported once
            reported.add(pointer + where)
            yield finding(
                f"{where or '/'}: {error.message}",
                f"{pointer}{where}",
                operation=op.operation_id if op else None,
            )
