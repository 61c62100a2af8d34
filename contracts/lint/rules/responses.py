"""Rules about responses: the envelope, and which error statuses an operation documents."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contracts.findings import Finding
from contracts.lint import finding, rule
from contracts.lint.rules import JSON_MEDIA, follow, json_media
from contracts.lint.rules.operations import declared_parameters
from contracts.spec import ENVELOPE_SCHEMA, ERROR_ENVELOPE_SCHEMA, Operation, Spec, join_pointer

ENVELOPE_REF = f"#/components/schemas/{ENVELOPE_SCHEMA}"
ERROR_ENVELOPE_REF = f"#/components/schemas/{ERROR_ENVELOPE_SCHEMA}"


def _is_error(status: str) -> bool:
    return status.startswith(("4", "5"))


def _envelope_problem(spec: Spec, status: str, schema: Any) -> str | None:
    """Why ``schema`` is not the envelope a ``status`` response needs (None when it is)."""
    if not isinstance(schema, dict):
        return "has no JSON schema"
    if _is_error(status):
        return None if schema.get("$ref") == ERROR_ENVELOPE_REF else f"is not the {ERROR_ENVELOPE_SCHEMA}"
    parts = [p for p in spec.deref(schema).get("allOf", []) if isinstance(p, dict)]
    if not any(p.get("$ref") == ENVELOPE_REF for p in parts):
        return f"does not extend the {ENVELOPE_SCHEMA}"
    payload = [p for p in parts if "data" in p.get("properties", {}) and "data" in p.get("required", [])]
    return None if payload else "names no required properties.data payload beside the Envelope"


@rule(hint="success: allOf [Envelope, {required: [data], properties: {data}}]; errors: $ref ErrorEnvelope")
def envelope_everywhere(spec: Spec) -> Iterator[Finding]:
    """Every response uses the envelope: success responses extend Envelope, error ones are ErrorEnvelope."""
    for op in spec.operations:
        for status, response in op.raw.get("responses", {}).items():
            where, resolved = follow(spec, response, join_pointer(op.pointer, "responses", status))
            media = json_media(resolved) or {}
            problem = _envelope_problem(spec, status, media.get("schema"))
            if problem:
                yield finding(
                    f"{op.operation_id} {status} {problem}",
                    join_pointer(where, "content", JSON_MEDIA, "schema"),
                    operation=op.operation_id,
                )


def _missing(op: Operation, statuses: set[int]) -> Iterator[int]:
    yield from (status for status in sorted(statuses) if op.response_key(status) is None)


@rule(hint="document a response for the status of every code in x-error-codes (and 401/403)")
def error_responses_documented(spec: Spec) -> Iterator[Finding]:
    """Each operation documents 401, 403 and the catalogued status of every code it lists (e.g. 404)."""
    catalogue = spec.error_catalogue
    for op in spec.operations:
        for status in _missing(
            op, {401, 403} | {catalogue[c].status for c in op.error_codes if c in catalogue}
        ):
            reason = "every operation needs it" if status in (401, 403) else "it lists codes answered with it"
            yield finding(
                f"{op.operation_id} documents no {status} response, yet {reason}",
                f"{op.pointer}/responses/{status}",
                operation=op.operation_id,
            )


@rule(hint="add a 400 response ($ref BadRequest) and the operation's input-validation codes")
def bad_request_documented(spec: Spec) -> Iterator[Finding]:
    """Every operation that takes input (a body, path or query parameters) documents 400."""
    for op in spec.operations:
        takes_input = "requestBody" in op.raw or any(
            p.get("in") in ("path", "query") for _, p in declared_parameters(op)
        )
        if takes_input and any(_missing(op, {400})):
            yield finding(
                f"{op.operation_id} takes input but documents no 400 response",
                f"{op.pointer}/responses/400",
                operation=op.operation_id,
            )


@rule(hint="list in x-error-codes the codes the operation answers with that status")
def error_status_has_codes(spec: Spec) -> Iterator[Finding]:
    """Every documented error status of an operation has at least one of its codes catalogued with it."""
    for op in spec.operations:
        for status in op.statuses:
            if _is_error(status) and status.isdigit() and not op.codes_for_status(int(status)):
                yield finding(
                    f"{op.operation_id} documents {status} but lists no code catalogued with status {status}",
                    join_pointer(op.pointer, "responses", status),
                    operation=op.operation_id,
                )
