"""Rules about operations: names, documentation, deprecation, parameters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from contracts.findings import Finding
from contracts.lint import finding, rule
from contracts.lint.rules import follow
from contracts.spec import Operation, Spec, join_pointer

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")
KEBAB_CASE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")
PHASED_OUT = re.compile(r"phased out|deprecated", re.IGNORECASE)


@rule(hint="give every operation a unique operationId (its slug); list each doc slug once")
def operation_id_unique(spec: Spec) -> Iterator[Finding]:
    """operationIds and ``x-doc-slugs`` name one operation each, across the whole spec."""
    for name, first, second in spec.duplicate_names:
        yield finding(
            f"{name!r} names both {first.label} and {second.label}",
            second.pointer,
            operation=second.operation_id,
        )


@rule(hint="use the documentation page's slug: lowercase words joined by '-'")
def operation_id_slug(spec: Spec) -> Iterator[Finding]:
    """operationIds and ``x-doc-slugs`` are documentation slugs (``update-target-group``)."""
    for op in spec.operations:
        for index, name in enumerate(op.slugs):
            if not (isinstance(name, str) and SLUG.match(name)):
                where = "operationId" if index == 0 else f"x-doc-slugs/{index - 1}"
                yield finding(
                    f"{name!r} is not a documentation slug",
                    f"{op.pointer}/{where}",
                    operation=op.operation_id,
                )


@rule(hint="add summary, description and tags, and security (here or at the top level)")
def operation_documented(spec: Spec) -> Iterator[Finding]:
    """Every operation has a summary, a description, tags and (effective) security."""
    for op in spec.operations:
        for key in ("summary", "description", "tags"):
            if not op.raw.get(key):
                yield finding(
                    f"{op.operation_id} has no {key}",
                    f"{op.pointer}/{key}",
                    operation=op.operation_id,
                )
        if not op.raw.get("security", spec.raw.get("security")):
            yield finding(
                f"{op.operation_id} has no security",
                f"{op.pointer}/security",
                operation=op.operation_id,
            )


@rule(hint="add deprecated: true")
def phased_out_deprecated(spec: Spec) -> Iterator[Finding]:
    """Operations whose summary or description says they are phased out are marked deprecated."""
    for op in spec.operations:
        text = f"{op.raw.get('summary', '')} {op.raw.get('description', '')}"
        if PHASED_OUT.search(text) and not op.deprecated:
            yield finding(
                f"{op.operation_id} says it is phased out but is not deprecated",
                f"{op.pointer}/deprecated",
                operation=op.operation_id,
            )


def declared_parameters(op: Operation) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, parameter) of path-level then operation-level parameters, where each is written."""
    path_pointer = join_pointer("/paths", op.path)
    sources = (
        (path_pointer, op.path_item.get("parameters", [])),
        (op.pointer, op.raw.get("parameters", [])),
    )
    for base, params in sources:
        for index, param in enumerate(params):
            where, resolved = follow(op.spec, param, join_pointer(base, "parameters", index))
            if isinstance(resolved, dict):
                yield where, resolved


@rule(hint="declare each {param} of the path as a required, typed path parameter")
def path_parameters_declared(spec: Spec) -> Iterator[Finding]:
    """Path parameters match the template, are required and typed."""
    for op in spec.operations:
        template = set(re.findall(r"\{([^}]+)\}", op.path))
        declared = {p.get("name"): (w, p) for w, p in declared_parameters(op) if p.get("in") == "path"}
        for name in sorted(template - declared.keys()):
            yield finding(
                f"{op.operation_id}: {{{name}}} is not declared",
                f"{op.pointer}/parameters",
                operation=op.operation_id,
            )
        for name, (where, param) in declared.items():
            if name not in template:
                message = f"path parameter {name} is not in the path"
            elif not param.get("required") or "type" not in spec.deref(param.get("schema", {})):
                message = f"path parameter {name} must be required and typed"
            else:
                continue
            yield finding(f"{op.operation_id}: {message}", where, operation=op.operation_id)


@rule(hint="name path and query parameters in camelCase (kebab-case only where the API uses it in queries)")
def parameter_names(spec: Spec) -> Iterator[Finding]:
    """Path parameters are camelCase; query parameters camelCase or, as the API has some, kebab-case."""
    seen: set[str] = set()
    for op in spec.operations:
        for where, param in declared_parameters(op):
            name, place = str(param.get("name", "")), param.get("in")
            allowed = CAMEL_CASE.match(name) or (place == "query" and KEBAB_CASE.match(name))
            if place in ("path", "query") and not allowed and where not in seen:
                seen.add(where)
                yield finding(
                    f"{place} parameter {name!r} is neither camelCase"
                    + (" nor kebab-case" if place == "query" else ""),
                    f"{where}/name",
                    operation=op.operation_id,
                )
