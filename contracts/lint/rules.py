"""The house rules: what this API's spec must look like beyond being valid OpenAPI.

Each rule is one small function; the conventions they enforce are in docs/spec-conventions.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from contracts.checks._schemas import compile_schema
from contracts.findings import Finding
from contracts.lint import finding, rule
from contracts.lint.structure import all_refs, nodes
from contracts.spec import (
    ENVELOPE_SCHEMA,
    ERROR_CATALOGUE_KEY,
    ERROR_ENVELOPE_SCHEMA,
    Operation,
    Spec,
    escape_token,
    join_pointer,
)

UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")
PHASED_OUT = re.compile(r"phased out|deprecated", re.IGNORECASE)
ENVELOPE_REF = f"#/components/schemas/{ENVELOPE_SCHEMA}"
ERROR_ENVELOPE_REF = f"#/components/schemas/{ERROR_ENVELOPE_SCHEMA}"


def _json_responses(op: Operation) -> Iterator[tuple[str, str, Any]]:
    """(status, pointer of the media schema, schema) for each JSON response of ``op``."""
    for status in op.statuses:
        response = op.spec.deref(op.raw["responses"][status])
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        pointer = join_pointer(op.pointer, "responses", status, "content", "application/json", "schema")
        yield status, pointer, schema


@rule(hint="success: allOf [Envelope, {properties: {data}}]; errors: $ref ErrorEnvelope")
def envelope_everywhere(spec: Spec) -> Iterator[Finding]:
    """Every response uses the envelope: success responses extend Envelope, error ones are ErrorEnvelope."""
    for op in spec.operations:
        for status, pointer, schema in _json_responses(op):
            if schema is None:
                yield finding(
                    "envelope_everywhere",
                    f"{op.operation_id} {status} has no JSON schema",
                    pointer,
                    operation=op.operation_id,
                )
                continue
            if status.startswith(("4", "5")):
                if schema.get("$ref") != ERROR_ENVELOPE_REF:
                    yield finding(
                        "envelope_everywhere",
                        f"{op.operation_id} {status} is not the ErrorEnvelope",
                        pointer,
                        operation=op.operation_id,
                    )
                continue
            resolved = spec.deref(schema)
            refs = [p.get("$ref") for p in resolved.get("allOf", []) if isinstance(p, dict)]
            if ENVELOPE_REF not in refs:
                yield finding(
                    "envelope_everywhere",
                    f"{op.operation_id} {status} does not extend the Envelope",
                    pointer,
                    operation=op.operation_id,
                )


@rule(hint="give every operation a unique operationId (its slug); list each doc slug once")
def operation_id_unique(spec: Spec) -> Iterator[Finding]:
    """operationIds and ``x-doc-slugs`` name one operation each."""
    for name, first, second in spec.duplicate_names:
        yield finding(
            "operation_id_unique",
            f"{name!r} names both {first.label} and {second.label}",
            second.pointer,
            operation=second.operation_id,
        )


@rule(hint="add summary, description, tags and security (or rely on the global security)")
def operation_documented(spec: Spec) -> Iterator[Finding]:
    """Every operation has a summary, a description, tags and security."""
    for op in spec.operations:
        for key in ("summary", "description", "tags"):
            if not op.raw.get(key):
                yield finding(
                    "operation_documented",
                    f"{op.operation_id} has no {key}",
                    op.pointer,
                    operation=op.operation_id,
                )
        if not op.raw.get("security", spec.raw.get("security")):
            yield finding(
                "operation_documented",
                f"{op.operation_id} has no security",
                op.pointer,
                operation=op.operation_id,
            )


@rule(hint="list the codes the operation may return in x-error-codes")
def error_codes_listed(spec: Spec) -> Iterator[Finding]:
    """Every operation has an ``x-error-codes`` list."""
    for op in spec.operations:
        if not op.raw.get("x-error-codes"):
            yield finding(
                "error_codes_listed",
                f"{op.operation_id} has no x-error-codes",
                op.pointer,
                operation=op.operation_id,
            )


@rule(hint="document a response for the status of every code in x-error-codes (and 401/403)")
def error_responses_documented(spec: Spec) -> Iterator[Finding]:
    """Each operation documents 401, 403 and the catalogued status of every code it lists."""
    catalogue = spec.error_catalogue
    for op in spec.operations:
        needed = {401, 403} | {catalogue[c].status for c in op.error_codes if c in catalogue}
        for status in sorted(needed):
            if op.response_key(status) is None:
                yield finding(
                    "error_responses_documented",
                    f"{op.operation_id} lists codes answered with {status} but documents no {status} response",
                    f"{op.pointer}/responses",
                    operation=op.operation_id,
                )


def _example_error_codes(spec: Spec) -> Iterator[tuple[Operation, str, str, int]]:
    for op in spec.operations:
        for status in op.statuses:
            media = op.spec.deref(op.raw["responses"][status]).get("content", {}).get("application/json", {})
            for name, example in media.get("examples", {}).items():
                value = spec.deref(example).get("value")
                errors = value.get("errors") if isinstance(value, dict) else None
                for index, error in enumerate(errors if isinstance(errors, list) else []):
                    if isinstance(error, dict) and isinstance(error.get("code"), int):
                        pointer = join_pointer(
                            op.pointer,
                            "responses",
                            status,
                            "content",
                            "application/json",
                            "examples",
                            name,
                            "value",
                            "errors",
                            index,
                            "code",
                        )
                        yield op, status, pointer, error["code"]


@rule(hint="add the code to components.x-error-codes with its message and status")
def error_code_catalogued(spec: Spec) -> Iterator[Finding]:
    """Every error code used anywhere (x-error-codes, examples) is in the catalogue."""
    catalogue = spec.error_catalogue
    for op in spec.operations:
        for index, code in enumerate(op.error_codes):
            if code not in catalogue:
                yield finding(
                    "error_code_catalogued",
                    f"{op.operation_id} lists code {code}, which the catalogue lacks",
                    f"{op.pointer}/x-error-codes/{index}",
                    operation=op.operation_id,
                )
    for op, _, pointer, code in _example_error_codes(spec):
        if code not in catalogue:
            yield finding(
                "error_code_catalogued",
                f"an example of {op.operation_id} uses code {code}, which the catalogue lacks",
                pointer,
                operation=op.operation_id,
            )


@rule(hint="list the code in the x-error-codes of the operations that return it, or drop it")
def catalogue_code_used(spec: Spec) -> Iterator[Finding]:
    """Every catalogued code is listed by at least one operation."""
    used = {code for op in spec.operations for code in op.error_codes}
    for code, entry in spec.error_catalogue.items():
        if code not in used:
            yield finding(
                "catalogue_code_used", f"catalogued code {code} is listed by no operation", entry.pointer
            )


@rule(hint="use only codes of the operation's x-error-codes whose catalogued status is the example's")
def error_example_codes(spec: Spec) -> Iterator[Finding]:
    """Error examples use only the operation's codes, with their catalogued status."""
    for op, status, pointer, code in _example_error_codes(spec):
        if code in spec.error_catalogue and code not in op.codes_for_status(int(status)):
            yield finding(
                "error_example_codes",
                f"an example of {op.operation_id} {status} uses code {code}, not documented for that status",
                pointer,
                operation=op.operation_id,
            )


@rule(hint="move the enum into components.schemas and $ref it")
def enum_named_component(spec: Spec) -> Iterator[Finding]:
    """Enums are named components, never inline."""
    for path, node in nodes(spec.raw, skip_examples=True):
        if (
            "enum" in node
            and not re.fullmatch(r"/components/schemas/[^/]+", path)
            and "/servers/" not in path
        ):
            yield finding("enum_named_component", "inline enum: make it a named component", f"{path}/enum")


@rule(hint="use the API's UPPER_SNAKE values")
def enum_upper_snake(spec: Spec) -> Iterator[Finding]:
    """Enum values are UPPER_SNAKE strings."""
    for name, enum in spec.enums.items():
        for index, value in enumerate(enum.values):
            if not (isinstance(value, str) and UPPER_SNAKE.match(value)):
                yield finding(
                    "enum_upper_snake",
                    f"{name} value {value!r} is not UPPER_SNAKE",
                    f"{enum.pointer}/enum/{index}",
                )


@rule(hint="remove the duplicate value")
def enum_no_duplicates(spec: Spec) -> Iterator[Finding]:
    """Enum values are unique, also ignoring case."""
    for name, enum in spec.enums.items():
        seen: set[str] = set()
        for index, value in enumerate(enum.values):
            key = str(value).upper()
            if key in seen:
                yield finding(
                    "enum_no_duplicates", f"{name} repeats {value!r}", f"{enum.pointer}/enum/{index}"
                )
            seen.add(key)


def _media_examples(op: Operation) -> Iterator[tuple[str, dict[str, Any], str, Any]]:
    body = op.spec.deref(op.raw.get("requestBody", {}))
    media = body.get("content", {}).get("application/json", {})
    base = join_pointer(op.pointer, "requestBody", "content", "application/json")
    for name, example in media.get("examples", {}).items():
        yield (
            f"{base}/examples/{escape_token(name)}",
            media.get("schema", {}),
            "request",
            op.spec.deref(example).get("value"),
        )
    for status in op.statuses:
        media = op.spec.deref(op.raw["responses"][status]).get("content", {}).get("application/json", {})
        base = join_pointer(op.pointer, "responses", status, "content", "application/json")
        for name, example in media.get("examples", {}).items():
            yield (
                f"{base}/examples/{escape_token(name)}",
                media.get("schema", {}),
                status,
                op.spec.deref(example).get("value"),
            )


@rule(hint="fix the example or the schema; examples are real payloads")
def example_valid(spec: Spec) -> Iterator[Finding]:
    """Every example validates against the schema of its media type."""
    compiled: dict[int, Any] = {}
    for op in spec.operations:
        for pointer, schema, _, value in _media_examples(op):
            key = id(schema)
            if key not in compiled:
                compiled[key] = compile_schema(spec, schema)
            for error in compiled[key].iter_errors(value):
                where = "".join(f"/{escape_token(str(t))}" for t in error.instance_path)
                yield finding(
                    "example_valid",
                    f"{where or '/'}: {error.message}",
                    f"{pointer}/value{where}",
                    operation=op.operation_id,
                )


@rule(hint="declare each {param} of the path as a required, typed path parameter")
def path_parameters_declared(spec: Spec) -> Iterator[Finding]:
    """Path parameters match the template, are required and typed."""
    for op in spec.operations:
        template = set(re.findall(r"\{([^}]+)\}", op.path))
        declared = {p["name"]: p for p in op.parameters() if p.get("in") == "path"}
        for name in sorted(template - declared.keys()):
            yield finding(
                "path_parameters_declared",
                f"{op.operation_id}: {{{name}}} is not declared",
                op.pointer,
                operation=op.operation_id,
            )
        for name in sorted(declared.keys() - template):
            yield finding(
                "path_parameters_declared",
                f"{op.operation_id}: path parameter {name} is not in the path",
                op.pointer,
                operation=op.operation_id,
            )
        for name, param in declared.items():
            schema = spec.deref(param.get("schema", {}))
            if not param.get("required") or "type" not in schema:
                yield finding(
                    "path_parameters_declared",
                    f"{op.operation_id}: path parameter {name} must be required and typed",
                    op.pointer,
                    operation=op.operation_id,
                )


@rule(hint="reference the component or remove it")
def no_unused_components(spec: Spec) -> Iterator[Finding]:
    """Every component (schema, response, parameter, example) is referenced."""
    refs = all_refs(spec)
    for kind in ("schemas", "responses", "parameters", "examples", "requestBodies", "headers"):
        for name in spec.raw.get("components", {}).get(kind, {}):
            ref = f"#/components/{kind}/{escape_token(name)}"
            if ref not in refs:
                yield finding(
                    "no_unused_components", f"components.{kind}.{name} is never referenced", ref[1:]
                )


@rule(hint="add deprecated: true")
def phased_out_deprecated(spec: Spec) -> Iterator[Finding]:
    """Operations whose docs say they are phased out are marked deprecated."""
    for op in spec.operations:
        text = f"{op.raw.get('summary', '')} {op.raw.get('description', '')}"
        if PHASED_OUT.search(text) and not op.deprecated:
            yield finding(
                "phased_out_deprecated",
                f"{op.operation_id} says it is phased out but is not deprecated",
                op.pointer,
                operation=op.operation_id,
            )


@rule(hint="name properties in camelCase, as the API does")
def property_camel_case(spec: Spec) -> Iterator[Finding]:
    """Property names are camelCase like the API's (kebab-case exists only in query names)."""
    for path, node in nodes(
        spec.raw.get("components", {}).get("schemas", {}), "/components/schemas", skip_examples=True
    ):
        props = node.get("properties")
        if isinstance(props, dict) and not path.endswith("/properties"):
            for name in props:
                if not CAMEL_CASE.match(name):
                    yield finding(
                        "property_camel_case",
                        f"property {name!r} is not camelCase",
                        f"{path}/properties/{escape_token(name)}",
                    )


@rule(hint="give the catalogue entry an integer key, message, status and an UPPER_SNAKE name")
def catalogue_entries_complete(spec: Spec) -> Iterator[Finding]:
    """Catalogue entries carry a message, an HTTP error status and an UPPER_SNAKE name."""
    for code, entry in spec.error_catalogue.items():
        if not entry.message or not 400 <= entry.status <= 599 or not UPPER_SNAKE.match(entry.name):
            yield finding(
                "catalogue_entries_complete", f"catalogue entry {code} is incomplete", entry.pointer
            )
    if ERROR_CATALOGUE_KEY not in spec.raw.get("components", {}):
        yield finding("catalogue_entries_complete", "the spec has no error-code catalogue", "/components")
