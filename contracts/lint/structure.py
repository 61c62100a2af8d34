"""Structural validity: the document is OpenAPI, and every ``$ref`` resolves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contracts.findings import Finding
from contracts.lint import finding, rule
from contracts.schemas import Walked
from contracts.spec import Spec, escape_token


def structural_errors(raw: dict[str, Any], *, rust: bool = True) -> list[Any]:
    """openapi-spec-validator's errors for ``raw``: the Rust port (~100x faster) unless it is missing
    or fails on the document, then the Python validator, which is the reference."""
    v31 = str(raw.get("openapi", "")).startswith("3.1")
    if rust:
        try:
            from openapi_spec_validator_rs import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

            return list((OpenAPIV31SpecValidator if v31 else OpenAPIV30SpecValidator)(raw).iter_errors())
        except ImportError:
            pass
        except Exception:  # noqa: BLE001 - a young port failing on a document: the reference decides
            pass
    from openapi_spec_validator.validation import validators as reference

    validator = reference.OpenAPIV31SpecValidator if v31 else reference.OpenAPIV30SpecValidator
    try:
        return list(validator(raw).iter_errors())
    except Exception:  # noqa: BLE001 - its extra checks assume shapes the schema check would refuse
        from openapi_spec_validator import schemas

        plain = schemas.openapi_v31_schema_validator if v31 else schemas.openapi_v30_schema_validator
        return list(plain.iter_errors(raw))


@rule(hint="give the part the pointer names the shape OpenAPI gives it; lint reads the rest")
def document_shape(spec: Spec) -> Iterator[Finding]:
    """Every path item, operation and catalogue entry has the shape the tools read (an operation is an
    object with an operationId, ``parameters`` an array, ``x-doc-slugs`` a list of strings, ...)."""
    for pointer, message in spec.defects:
        yield finding(message, pointer)


@rule(hint="fix the document so openapi-spec-validator accepts it")
def openapi_valid(spec: Spec) -> Iterator[Finding]:
    """The document is valid OpenAPI (openapi-spec-validator, its Rust port when installed)."""
    for error in structural_errors(spec.raw):
        where = getattr(error, "absolute_path", None) or getattr(error, "path", None) or []
        path = "".join(f"/{escape_token(str(t))}" for t in where)
        yield finding(str(getattr(error, "message", error)).splitlines()[0][:300], path)


def objects(spec: Spec) -> Walked:
    """Every object of the spec with its JSON pointer and whether it is (part of) an example.

    The schema layer's one walk (:func:`contracts.schemas.walk`), done once per spec and shared by the
    rules that look at every object.
    """
    return spec.schemas.objects


def _refs(spec: Spec) -> list[tuple[str, str]]:
    return spec.schemas.refs


@rule(hint="point the $ref at an existing '#/components/...' entry")
def refs_resolvable(spec: Spec) -> Iterator[Finding]:
    """Every ``$ref`` is local and resolves."""
    for path, ref in _refs(spec):
        if not ref.startswith("#/"):
            yield finding(f"$ref {ref!r} is not a local reference", f"{path}/$ref")
            continue
        found = spec.schemas.target(ref)
        if found is None:
            yield finding(f"$ref {ref!r} points nowhere", f"{path}/$ref")
            continue
        if _loops(spec, ref, found[1]):
            yield finding(f"$ref {ref!r} is circular: it never reaches a value", f"{path}/$ref")


def _loops(spec: Spec, ref: str, target: Any) -> bool:
    """Whether the ``$ref`` chain starting at ``ref`` comes back to itself (``A → B → A``)."""
    seen = {ref}
    while (
        isinstance(target, dict) and isinstance(target.get("$ref"), str) and target["$ref"].startswith("#/")
    ):
        if target["$ref"] in seen:
            return True
        seen.add(target["$ref"])
        found = spec.schemas.target(target["$ref"])
        if found is None:
            return False  # reported at the ref that points nowhere
        target = found[1]
    return False


def all_refs(spec: Spec) -> set[str]:
    """Every ``$ref`` target in the document (for the unused-components rule)."""
    return {ref for _, ref in _refs(spec)}
