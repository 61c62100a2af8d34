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


def _refs(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield path, ref
        for key, value in node.items():
            yield from _refs(value, f"{path}/{escape_token(str(key))}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _refs(value, f"{path}/{index}")


@rule(hint="point the $ref at an existing '#/components/...' entry")
def refs_resolvable(spec: Spec) -> Iterator[Finding]:
    """Every ``$ref`` is local and resolves."""
    for path, ref in _refs(spec.raw, ""):
        if not ref.startswith("#/"):
            yield finding("refs_resolvable", f"$ref {ref!r} is not a local reference", f"{path}/$ref")
            continue
        try:
            resolve_pointer(spec.raw, ref[1:])
        except (KeyError, IndexError, ValueError):
            yield finding("refs_resolvable", f"$ref {ref!r} points nowhere", f"{path}/$ref")


def all_refs(spec: Spec) -> set[str]:
    """Every ``$ref`` target in the document (for the unused-components rule)."""
    return {ref for _, ref in _refs(spec.raw, "")}
