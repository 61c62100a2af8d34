"""Rules about error codes: the catalogue, each operation's ``x-error-codes``, error examples."""

from __future__ import annotations

from collections.abc import Iterator

from contracts.findings import Finding
from contracts.lint import finding, rule
from contracts.lint.rules import media_examples
from contracts.lint.rules.schemas import UPPER_SNAKE
from contracts.spec import ERROR_CATALOGUE_KEY, Operation, Spec, join_pointer


def example_error_codes(spec: Spec) -> Iterator[tuple[Operation, str, str, int]]:
    """(operation, status, pointer, code) for every ``errors[].code`` of a response example."""
    for op in spec.operations:
        for status, pointer, _, value in media_examples(op):
            errors = value.get("errors") if isinstance(value, dict) and status != "request" else None
            for index, error in enumerate(errors if isinstance(errors, list) else []):
                if status.startswith("2") and spec.schemas.is_no_error(error):
                    continue  # the legacy "no error" sentinel a 2xx may carry, not an error code
                if isinstance(error, dict) and isinstance(error.get("code"), int):
                    yield op, status, join_pointer(pointer, "errors", index, "code"), error["code"]


@rule(hint="list the codes the operation may return in x-error-codes")
def error_codes_listed(spec: Spec) -> Iterator[Finding]:
    """Every operation has an ``x-error-codes`` list."""
    for op in spec.operations:
        if not op.raw.get("x-error-codes"):
            yield finding(
                f"{op.operation_id} has no x-error-codes",
                f"{op.pointer}/x-error-codes",
                operation=op.operation_id,
            )


@rule(hint="add the code to components.x-error-codes with its message and status")
def error_code_catalogued(spec: Spec) -> Iterator[Finding]:
    """Every error code used anywhere (x-error-codes, examples) is in the catalogue."""
    catalogue = spec.error_catalogue
    for op in spec.operations:
        for index, code in enumerate(op.error_codes):
            if code not in catalogue:
                yield finding(
                    f"{op.operation_id} lists code {code}, which the catalogue lacks",
                    f"{op.pointer}/x-error-codes/{index}",
                    operation=op.operation_id,
                )
    for op, _, pointer, code in example_error_codes(spec):
        if code not in catalogue:
            yield finding(
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
            yield finding(f"catalogued code {code} is listed by no operation", entry.pointer)


@rule(hint="use only codes of the operation's x-error-codes whose catalogued status is the example's")
def error_example_codes(spec: Spec) -> Iterator[Finding]:
    """Error examples use only the operation's codes, with their catalogued status."""
    for op, status, pointer, code in example_error_codes(spec):
        if code in spec.error_catalogue and (
            not status.isdigit() or code not in op.codes_for_status(int(status))
        ):
            yield finding(
                f"an example of {op.operation_id} {status} uses code {code}, not documented for that status",
                pointer,
                operation=op.operation_id,
            )


@rule(
    hint="give each catalogue entry an integer key, a message, a 4xx/5xx status and a unique UPPER_SNAKE name"
)
def catalogue_entries_complete(spec: Spec) -> Iterator[Finding]:
    """Catalogue entries carry a message, an HTTP error status and a unique UPPER_SNAKE name."""
    if ERROR_CATALOGUE_KEY not in spec.raw.get("components", {}):
        yield finding("the spec has no error-code catalogue", "/components")
    names: dict[str, int] = {}
    for code, entry in spec.error_catalogue.items():
        if not entry.message or not 400 <= entry.status <= 599 or not UPPER_SNAKE.match(entry.name):
            yield finding(
                f"catalogue entry {code} needs a message, a 4xx/5xx status and an UPPER_SNAKE name",
                entry.pointer,
            )
        elif entry.name in names:
            yield finding(
                f"catalogue entry {code} reuses the name {entry.name} of {names[entry.name]}",
                f"{entry.pointer}/name",
            )
        names.setdefault(entry.name, code)
