"""Structural validity: the document is OpenAPI, and every ``$ref`` resolves."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from contracts.findings import Finding
from contracts.lint import finding, rule
from contracts.schemas import Walked
from contracts.spec import Spec, escape_token

PORT = "openapi_spec_validator_rs"
ITER_ERRORS_OFFSET = 4
"""Frames the port's ``SpecValidator.iter_errors`` puts between its caller and the frame whose depth
it hands the extension (``_stack._OFFSETS[("validators", "iter_errors")]`` in 0.2.x)."""


def structural_errors(raw: dict[str, Any], *, rust: bool = True) -> list[Any]:
    """openapi-spec-validator's errors for ``raw``: the Rust port (~100x faster) unless it is missing
    or fails on the document, then the Python validator, which is the reference."""
    v31 = str(raw.get("openapi", "")).startswith("3.1")
    if rust:
        try:
            return _port_errors(raw, v31, _depth(sys._getframe()))
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


def _port_errors(raw: dict[str, Any], v31: bool, caller_depth: int) -> list[Any]:
    """What ``OpenAPIV3xSpecValidator(raw).iter_errors()``, called from a frame ``caller_depth`` deep,
    yields: the same call of its extension, with the same arguments (the retriever, and the depth
    and limit from which it reproduces upstream's RecursionError).

    The extension is loaded on its own while the port's Python package is not imported yet: that
    package (exception classes, proxies, shortcuts, the version table) costs ~3% of a lint's
    instructions, and a valid document needs none of it. Errors are turned into the package's
    exception classes, as it does; the retriever imports its handlers on the first remote ``$ref``.
    """
    core = _extension()
    errors = core.validate(
        raw,
        "3.1" if v31 else "3.0",
        "",
        True,
        _retrieve,
        caller_depth + ITER_ERRORS_OFFSET,
        sys.getrecursionlimit(),
    )
    if not errors:
        return []
    from openapi_spec_validator_rs.exceptions import _from_core

    return [_from_core(error) for error in errors]


def _extension() -> Any:
    """The port's compiled module, ``openapi_spec_validator_rs._core``: the package's own when it is
    imported (or blocked: ImportError), else loaded alone and registered under its name, so a later
    import of the package finds it (an extension initialises once per process)."""
    if PORT in sys.modules:
        from openapi_spec_validator_rs import _core

        return _core
    if f"{PORT}._core" in sys.modules:
        return sys.modules[f"{PORT}._core"]
    import importlib.machinery
    import importlib.util

    package = importlib.util.find_spec(PORT)
    if package is None or not package.submodule_search_locations:
        raise ImportError(f"no module named {PORT!r}")
    found = importlib.machinery.PathFinder.find_spec(
        f"{PORT}._core", list(package.submodule_search_locations)
    )
    if found is None or not isinstance(found.loader, importlib.machinery.ExtensionFileLoader):
        raise ImportError(f"no compiled {PORT}._core")
    core = importlib.util.module_from_spec(found)
    sys.modules[found.name] = core
    try:
        found.loader.exec_module(core)
        core._check_interpreter()  # what the package does on import
    except BaseException:
        del sys.modules[found.name]
        raise
    return core


def _retrieve(url: str) -> bytes:
    """The package's retriever of remote documents (``handlers.retrieve``), imported when needed."""
    from openapi_spec_validator_rs.handlers import retrieve

    return retrieve(url)


def _depth(frame: Any) -> int:
    """How deep ``frame`` is on the stack (the outermost frame counts 1), as the port counts it."""
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


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

    One walk per spec, shared by the rules that look at every object: the one a lenient spec took
    while checking its shape (:attr:`Spec.walked`), else the schema layer's (:func:`contracts.schemas.walk`).
    """
    return spec.walked if spec.walked is not None else spec.schemas.objects


def _refs(spec: Spec) -> list[tuple[str, str]]:
    """(pointer of the object, its ``$ref``) of every string ``$ref``, in document order."""

    def build() -> list[tuple[str, str]]:
        return [(path, node["$ref"]) for path, node, _ in objects(spec) if isinstance(node.get("$ref"), str)]

    return spec.schemas.memo("lint.refs", build)


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
