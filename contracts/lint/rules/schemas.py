"""Rules about schemas: named UPPER_SNAKE enums, camelCase properties, no unused components."""

from __future__ import annotations

import re
from collections.abc import Iterator

from contracts.findings import Finding
from contracts.lint import finding, rule
from contracts.lint.rules.operations import CAMEL_CASE
from contracts.lint.structure import all_refs, objects
from contracts.spec import Spec, escape_token

UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
NAMED_SCHEMA = re.compile(r"/components/schemas/[^/]+")
COMPONENT_KINDS = ("schemas", "responses", "parameters", "examples", "requestBodies", "headers")


def _schema_objects(spec: Spec) -> Iterator[tuple[str, dict[str, object]]]:
    """Every object of the spec outside example values, skipping property-name maps themselves and the
    values of extensions (``x-constraint-codes`` maps keywords such as ``enum`` to codes)."""
    for path, node, in_example in objects(spec):
        if (
            not in_example
            and not path.endswith("/properties")
            and not path.rpartition("/")[2].startswith("x-")
        ):
            yield path, node


@rule(hint="move the enum into components.schemas under a name and $ref it")
def enum_named_component(spec: Spec) -> Iterator[Finding]:
    """Enums are named components, never inline in operations or other schemas."""
    for path, node in _schema_objects(spec):
        if "enum" in node and not NAMED_SCHEMA.fullmatch(path) and not path.startswith("/servers/"):
            yield finding("inline enum: make it a named component", f"{path}/enum")


@rule(hint="use the API's UPPER_SNAKE values")
def enum_upper_snake(spec: Spec) -> Iterator[Finding]:
    """Enum values are UPPER_SNAKE strings."""
    for name, enum in spec.enums.items():
        # ``x-casing: camelCase``: the API's own keys are camelCase (docs/spec-conventions.md)
        casing = (
            CAMEL_CASE if spec.deref({"$ref": f"#{enum.pointer}"}).get("x-casing") == "camelCase" else None
        )
        for index, value in enumerate(enum.values):
            if not (isinstance(value, str) and (casing or UPPER_SNAKE).match(value)):
                yield finding(
                    f"{name} value {value!r} is not UPPER_SNAKE",
                    f"{enum.pointer}/enum/{index}",
                )


@rule(hint="remove the duplicate value")
def enum_no_duplicates(spec: Spec) -> Iterator[Finding]:
    """Enum values are unique, also ignoring case (``STREAKS`` and ``Streaks`` are one value)."""
    for name, enum in spec.enums.items():
        seen: dict[str, object] = {}
        for index, value in enumerate(enum.values):
            key = str(value).upper()
            if key in seen:
                same = "repeats" if seen[key] == value else f"differs only in case from {seen[key]!r}:"
                yield finding(f"{name} {same} {value!r}", f"{enum.pointer}/enum/{index}")
            seen.setdefault(key, value)


@rule(hint="name properties in camelCase, as the API does (kebab-case is for query parameters only)")
def property_camel_case(spec: Spec) -> Iterator[Finding]:
    """Property names are camelCase like the API's, in components and inline schemas alike."""
    for path, node in _schema_objects(spec):
        props = node.get("properties")
        if isinstance(props, dict):
            for name in props:
                if not CAMEL_CASE.match(name):
                    yield finding(
                        f"property {name!r} is not camelCase",
                        f"{path}/properties/{escape_token(name)}",
                    )


@rule(severity="warning", hint="reference the component or remove it")
def no_unused_components(spec: Spec) -> Iterator[Finding]:
    """Every component (schema, response, parameter, example, security scheme) is referenced."""
    refs = all_refs(spec)
    for kind in COMPONENT_KINDS:
        for name in spec.components(kind):
            ref = f"#/components/{kind}/{escape_token(name)}"
            if ref not in refs:
                yield finding(f"components.{kind}.{name} is never referenced", ref[1:])
    required = [spec.raw.get("security", [])] + [op.raw.get("security", []) for op in spec.operations]
    used = {name for requirements in required for req in requirements for name in req}
    for name in spec.components("securitySchemes"):
        if name not in used:
            yield finding(
                f"components.securitySchemes.{name} is required by no operation",
                f"/components/securitySchemes/{escape_token(name)}",
            )
