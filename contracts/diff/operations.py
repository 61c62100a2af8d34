"""Operation changes (matched by method and path): paths, parameters, bodies, statuses, error codes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contracts.diff.change import Change
from contracts.diff.schemas import Walk, component_changes, resolve
from contracts.spec import HTTP_METHODS, Operation, Spec, join_pointer

JSON_MEDIA = "application/json"


def _parameters(op: Operation) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """(in, name) → (pointer, parameter), operation-level parameters winning over path-level ones."""
    found: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for base, params in (
        (join_pointer("/paths", op.path), op.spec.raw["paths"][op.path].get("parameters", [])),
        (op.pointer, op.raw.get("parameters", [])),
    ):
        for index, param in enumerate(params):
            resolved = op.spec.deref(param)
            found[(resolved["in"], resolved["name"])] = (join_pointer(base, "parameters", index), resolved)
    return found


def _parameter_changes(walk: Walk, old: Operation, new: Operation) -> Iterator[Change]:
    before, after = _parameters(old), _parameters(new)
    for key, (where, param) in before.items():
        what = f"{old.label}: {key[0]} parameter {key[1]}"
        if key not in after:
            yield Change(True, "parameter-removed", where, f"{what} was removed")
            continue
        now_at, now = after[key]
        if now.get("required") and not param.get("required"):
            yield Change(True, "parameter-now-required", now_at, f"{what} is now required")
        yield from walk.compare(
            param.get("schema"),
            now.get("schema"),
            old_at=f"{where}/schema",
            new_at=f"{now_at}/schema",
            label=what,
            side="request",
        )
    for key in after.keys() - before.keys():
        where, param = after[key]
        required = bool(param.get("required"))
        kind = "required" if required else "optional"
        yield Change(
            required, "parameter-added", where, f"{new.label}: {kind} {key[0]} parameter {key[1]} was added"
        )


def _json_schema(spec: Spec, holder: Any, pointer: str) -> tuple[str, Any]:
    """(where, schema) of the JSON media type of a request body or response (``$ref`` followed)."""
    pointer, resolved, _ = resolve(spec, holder or {}, pointer)
    media = resolved.get("content", {}).get(JSON_MEDIA, {}) if isinstance(resolved, dict) else {}
    return join_pointer(pointer, "content", JSON_MEDIA, "schema"), media.get("schema")


def _body_changes(walk: Walk, old: Operation, new: Operation) -> Iterator[Change]:
    old_at, new_at = join_pointer(old.pointer, "requestBody"), join_pointer(new.pointer, "requestBody")
    before, after = (
        old.spec.deref(old.raw.get("requestBody", {})),
        new.spec.deref(new.raw.get("requestBody", {})),
    )
    if after.get("required") and not before.get("required"):
        kind = "request-body-now-required" if before else "request-body-added"
        yield Change(True, kind, new_at, f"{new.label}: a request body is now required")
    elif after and not before:
        yield Change(False, "request-body-added", new_at, f"{new.label}: an optional request body was added")
    elif before and not after:
        yield Change(False, "request-body-removed", old_at, f"{old.label}: the request body was removed")
    old_at, old_schema = _json_schema(old.spec, old.raw.get("requestBody"), old_at)
    new_at, new_schema = _json_schema(new.spec, new.raw.get("requestBody"), new_at)
    label = f"{new.label} request body"
    yield from walk.compare(old_schema, new_schema, old_at=old_at, new_at=new_at, label=label, side="request")


def _response_changes(walk: Walk, old: Operation, new: Operation) -> Iterator[Change]:
    for status in old.statuses:
        where = join_pointer(old.pointer, "responses", status)
        if status not in new.statuses:
            yield Change(True, "status-removed", where, f"{old.label}: response {status} was removed")
            continue
        old_at, old_schema = _json_schema(old.spec, old.raw["responses"][status], where)
        new_at, new_schema = _json_schema(
            new.spec, new.raw["responses"][status], join_pointer(new.pointer, "responses", status)
        )
        label = f"{new.label} {status} response"
        yield from walk.compare(
            old_schema, new_schema, old_at=old_at, new_at=new_at, label=label, side="response"
        )
    for status in new.statuses:
        if status not in old.statuses:
            where = join_pointer(new.pointer, "responses", status)
            yield Change(False, "status-added", where, f"{new.label}: response {status} was added")


def _operation_changes(walk: Walk, old: Operation, new: Operation) -> Iterator[Change]:
    yield from _parameter_changes(walk, old, new)
    yield from _body_changes(walk, old, new)
    yield from _response_changes(walk, old, new)
    for index, code in enumerate(old.error_codes):
        if code not in new.error_codes:
            where = f"{old.pointer}/x-error-codes/{index}"
            yield Change(True, "error-code-removed", where, f"{old.label}: error code {code} was removed")
    for index, code in enumerate(new.error_codes):
        if code not in old.error_codes:
            where = f"{new.pointer}/x-error-codes/{index}"
            yield Change(True, "error-code-added", where, f"{new.label}: error code {code} was added")
    if new.deprecated and not old.deprecated:
        yield Change(
            False, "operation-deprecated", f"{new.pointer}/deprecated", f"{new.label} is now deprecated"
        )


def _path_changes(old: Spec, new: Spec) -> Iterator[Change]:
    for path in old.raw["paths"].keys() - new.raw["paths"].keys():
        methods = ", ".join(m.upper() for m in HTTP_METHODS if m in old.raw["paths"][path])
        yield Change(True, "path-removed", join_pointer("/paths", path), f"{path} ({methods}) was removed")
    for path in new.raw["paths"].keys() - old.raw["paths"].keys():
        methods = ", ".join(m.upper() for m in HTTP_METHODS if m in new.raw["paths"][path])
        yield Change(False, "path-added", join_pointer("/paths", path), f"{path} ({methods}) was added")


def _catalogue_changes(old: Spec, new: Spec) -> Iterator[Change]:
    for code, entry in old.error_catalogue.items():
        after = new.error_catalogue.get(code)
        if after is not None and after.status != entry.status:
            yield Change(
                True,
                "error-code-status-changed",
                after.pointer,
                f"error code {code}: status {entry.status} → {after.status}",
            )


def diff(old: Spec, new: Spec) -> list[Change]:
    """Every change from ``old`` to ``new``, breaking ones first, then by pointer."""
    walk = Walk(old, new)
    changes = [*_path_changes(old, new), *_catalogue_changes(old, new), *component_changes(old, new)]
    old_ops = {(op.method, op.path): op for op in old.operations}
    new_ops = {(op.method, op.path): op for op in new.operations}
    for key, op in old_ops.items():
        if key in new_ops:
            changes.extend(_operation_changes(walk, op, new_ops[key]))
        elif op.path in new.raw["paths"]:  # a removed or added path is reported once, as such
            changes.append(
                Change(True, "operation-removed", op.pointer, f"{op.label} ({op.operation_id}) was removed")
            )
    for key, op in new_ops.items():
        if key not in old_ops and op.path in old.raw["paths"]:
            changes.append(
                Change(False, "operation-added", op.pointer, f"{op.label} ({op.operation_id}) was added")
            )
    kept: dict[tuple[str, str], Change] = {}
    for change in changes:  # one change per place; where one side breaks, it breaks
        first = kept.setdefault((change.kind, change.pointer), change)
        if change.breaking and not first.breaking:
            kept[(change.kind, change.pointer)] = change
    return sorted(kept.values(), key=lambda c: (not c.breaking, c.pointer, c.kind, c.message))
