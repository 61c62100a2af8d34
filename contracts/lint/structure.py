"""Structural validity: the document is OpenAPI, and every ``$ref`` resolves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contracts.findings import Finding
from contracts.lint import finding, rule
from contracts.spec import Spec, escape_token, resolve_pointer


@rule(hint="fix the document so openapi-spec-validator accepts it")
def openapi_valid(spec: Spec) -> Iterator[Finding]:
    """The document is valid OpenAPI (openapi-spec-validator, its Rust port when installed)."""
    try:  # the Rust port is ~15x faster; the Python validator is the reference and the fallback
        from openapi_spec_validator_rs import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
    except ImportError:  # pragma: no cover - the dependency is pinned; this guards odd platforms
        from openapi_spec_validator.validation.validators import (  # type: ignore[assignment]
            OpenAPIV30SpecValidator,
            OpenAPIV31SpecValidator,
        )

    validator_class = OpenAPIV31SpecValidator if spec.version.startswith("3.1") else OpenAPIV30SpecValidator
    for error in validator_class(spec.raw).iter_errors():
        path = "".join(f"/{escape_token(str(t))}" for t in getattr(error, "path", []) or [])
        yield finding("openapi_valid", str(getattr(error, "message", error)).splitlines()[0][:300], path)


def nodes(node: Any, path: str = "", *, skip_examples: bool = False) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object in ``node`` with its JSON pointer (example values skipped when asked)."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if skip_examples and key in ("examples", "example") and not path.endswith("/properties"):
                continue
            yield from nodes(value, f"{path}/{escape_token(str(key))}", skip_examples=skip_examples)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from nodes(value, f"{path}/{index}", skip_examples=skip_examples)


def _refs(document: Any) -> Iterator[tuple[str, str]]:
    for path, node in nodes(document):
        if isinstance(node.get("$ref"), str):
            yield path, node["$ref"]


@rule(hint="point the $ref at an existing '#/components/...' entry")
def refs_resolvable(spec: Spec) -> Iterator[Finding]:
    """Every ``$ref`` is local and resolves."""
    for path, ref in _refs(spec.raw):
        if not ref.startswith("#/"):
            yield finding("refs_resolvable", f"$ref {ref!r} is not a local reference", f"{path}/$ref")
            continue
        try:
            resolve_pointer(spec.raw, ref[1:])
        except (KeyError, IndexError, ValueError):
            yield finding("refs_resolvable", f"$ref {ref!r} points nowhere", f"{path}/$ref")


def all_refs(spec: Spec) -> set[str]:
    """Every ``$ref`` target in the document (for the unused-components rule)."""
    return {ref for _, ref in _refs(spec.raw)}
