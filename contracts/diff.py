"""Breaking changes between two versions of the spec, enums and error codes included.

A change is breaking when a client or server written against OLD can fail against NEW:
removed operations, parameters, statuses and response fields; new required request fields or
parameters; type changes; error codes added to or removed from an operation; response fields
made optional or nullable; enum values removed where clients send them (requests) and added
where clients receive them (responses). Everything else is listed as non-breaking.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.errors import UsageError
from contracts.spec import Operation, Spec, escape_token


@dataclass(frozen=True)
class Change:
    breaking: bool
    kind: str
    pointer: str
    message: str


def load_side(ref: str, *, spec_path: Path) -> Spec:
    """A spec from a file path, or from a git ref (``main``, ``origin/main``) at ``spec_path``."""
    file = Path(ref)
    if file.is_file():
        return Spec.from_path(file)
    relative = spec_path.resolve()
    top = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=False,
        cwd=relative.parent,
    )
    if top.returncode != 0:
        raise UsageError(f"{ref!r} is neither a file nor a git ref (not in a git checkout)")
    inner = relative.relative_to(Path(top.stdout.strip()).resolve()).as_posix()
    shown = subprocess.run(
        ["git", "show", f"{ref}:{inner}"], capture_output=True, text=True, check=False, cwd=top.stdout.strip()
    )
    if shown.returncode != 0:
        raise UsageError(
            f"{ref!r} is neither a file nor a git ref holding {inner}",
            hint=shown.stderr.strip().splitlines()[0] if shown.stderr.strip() else None,
        )
    return Spec.from_text(shown.stdout, path=Path(f"{ref}:{inner}"))


def _type(schema: Any) -> tuple[str, ...]:
    kind = schema.get("type") if isinstance(schema, dict) else None
    return tuple(sorted(kind)) if isinstance(kind, list) else ((kind,) if isinstance(kind, str) else ())


def _flat(schema: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """Properties and required names of a schema, its inline ``allOf`` parts included."""
    props, required = dict(schema.get("properties", {})), set(schema.get("required", []))
    for part in schema.get("allOf", []):
        if isinstance(part, dict) and "$ref" not in part:
            inner_props, inner_required = _flat(part)
            props.update(inner_props)
            required |= inner_required
    return props, required


def _usage(spec: Spec) -> dict[str, set[str]]:
    """Component name → {"request", "response"}: where each named schema is reachable from."""
    used: dict[str, set[str]] = {}

    def visit(node: Any, side: str, seen: set[str]) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                used.setdefault(name, set()).add(side)
                if name not in seen:
                    visit(spec.raw["components"]["schemas"].get(name), side, seen | {name})
            for key, value in node.items():
                if key not in ("examples", "example"):
                    visit(value, side, seen)
        elif isinstance(node, list):
            for value in node:
                visit(value, side, seen)

    for op in spec.operations:
        visit(op.raw.get("requestBody"), "request", set())
        visit(op.raw.get("parameters"), "request", set())
        visit(op.raw.get("responses"), "response", set())
    return used


def _schema_changes(old: Spec, new: Spec) -> Iterator[Change]:
    olds, news = (
        old.raw.get("components", {}).get("schemas", {}),
        new.raw.get("components", {}).get("schemas", {}),
    )
    usage = {**_usage(old)}
    for name, before in olds.items():
        pointer = f"/components/schemas/{escape_token(name)}"
        sides = usage.get(name, set())
        after = news.get(name)
        if after is None:
            yield Change(bool(sides), "schema-removed", pointer, f"schema {name} was removed")
            continue
        if _type(before) != _type(after) and _type(before):
            yield Change(
                True,
                "type-changed",
                f"{pointer}/type",
                f"{name}: type {'/'.join(_type(before))} → {'/'.join(_type(after)) or 'untyped'}",
            )
        old_enum, new_enum = before.get("enum"), after.get("enum")
        if isinstance(old_enum, list) and isinstance(new_enum, list):
            for value in old_enum:
                if value not in new_enum:
                    yield Change(
                        "request" in sides,
                        "enum-value-removed",
                        f"{pointer}/enum",
                        f"{name}: value {value!r} removed"
                        + (" (clients may send it)" if "request" in sides else ""),
                    )
            for value in new_enum:
                if value not in old_enum:
                    yield Change(
                        "response" in sides,
                        "enum-value-added",
                        f"{pointer}/enum",
                        f"{name}: value {value!r} added"
                        + (" (clients may receive it)" if "response" in sides else ""),
                    )
        old_props, old_req = _flat(before)
        new_props, new_req = _flat(after)
        for prop, prop_schema in old_props.items():
            where = f"{pointer}/properties/{escape_token(prop)}"
            if prop not in new_props:
                yield Change(
                    "response" in sides or prop in old_req,
                    "property-removed",
                    where,
                    f"{name}.{prop} was removed",
                )
            elif _type(prop_schema) and _type(prop_schema) != _type(new_props[prop]):
                added_null = set(_type(new_props[prop])) - set(_type(prop_schema)) == {"null"}
                yield Change(
                    True,
                    "property-type-changed",
                    where,
                    f"{name}.{prop}: type {'/'.join(_type(prop_schema))} → {'/'.join(_type(new_props[prop])) or 'untyped'}"
                    + (" (now nullable)" if added_null else ""),
                )
        for prop in sorted(new_req - old_req):
            yield Change(
                "request" in sides,
                "property-now-required",
                f"{pointer}/required",
                f"{name}.{prop} is now required",
            )
        for prop in sorted(old_req - new_req):
            yield Change(
                "response" in sides,
                "property-now-optional",
                f"{pointer}/required",
                f"{name}.{prop} is no longer required",
            )
        for prop in sorted(set(new_props) - set(old_props)):
            yield Change(
                prop in new_req and "request" in sides,
                "property-added",
                f"{pointer}/properties/{escape_token(prop)}",
                f"{name}.{prop} was added",
            )
    for name in sorted(set(news) - set(olds)):
        yield Change(
            False, "schema-added", f"/components/schemas/{escape_token(name)}", f"schema {name} was added"
        )


def _params(op: Operation) -> dict[tuple[str, str], dict[str, Any]]:
    return {(p["in"], p["name"]): p for p in op.parameters()}


def _operation_changes(old: Operation, new: Operation) -> Iterator[Change]:
    label = old.label
    before, after = _params(old), _params(new)
    for key, param in before.items():
        where = f"{old.pointer}/parameters"
        if key not in after:
            yield Change(
                True, "parameter-removed", where, f"{label}: {key[0]} parameter {key[1]} was removed"
            )
        elif _type(old.spec.deref(param.get("schema", {}))) != _type(
            new.spec.deref(after[key].get("schema", {}))
        ):
            yield Change(
                True, "parameter-type-changed", where, f"{label}: {key[0]} parameter {key[1]} changed type"
            )
    for key, param in after.items():
        if key not in before:
            yield Change(
                bool(param.get("required")),
                "parameter-added",
                f"{new.pointer}/parameters",
                f"{label}: {'required' if param.get('required') else 'optional'} {key[0]} parameter {key[1]} was added",
            )
    for status in old.statuses:
        if status not in new.statuses:
            yield Change(
                True,
                "status-removed",
                f"{old.pointer}/responses/{status}",
                f"{label}: response {status} was removed",
            )
    for status in new.statuses:
        if status not in old.statuses:
            yield Change(
                False,
                "status-added",
                f"{new.pointer}/responses/{status}",
                f"{label}: response {status} was added",
            )
    for code in sorted(set(old.error_codes) - set(new.error_codes)):
        yield Change(
            True,
            "error-code-removed",
            f"{new.pointer}/x-error-codes",
            f"{label}: error code {code} was removed",
        )
    for code in sorted(set(new.error_codes) - set(old.error_codes)):
        yield Change(
            True, "error-code-added", f"{new.pointer}/x-error-codes", f"{label}: error code {code} was added"
        )
    if bool(old.raw.get("requestBody", {}).get("required")) < bool(
        new.raw.get("requestBody", {}).get("required")
    ):
        yield Change(
            True,
            "request-body-now-required",
            f"{new.pointer}/requestBody",
            f"{label}: the request body is now required",
        )


def diff(old: Spec, new: Spec) -> list[Change]:
    """Every change from ``old`` to ``new``, breaking ones first."""
    changes: list[Change] = []
    new_ops = {(op.method, op.path): op for op in new.operations}
    old_ops = {(op.method, op.path): op for op in old.operations}
    for key, op in old_ops.items():
        if key not in new_ops:
            changes.append(
                Change(True, "operation-removed", op.pointer, f"{op.label} ({op.operation_id}) was removed")
            )
        else:
            changes.extend(_operation_changes(op, new_ops[key]))
    for key, op in new_ops.items():
        if key not in old_ops:
            changes.append(
                Change(False, "operation-added", op.pointer, f"{op.label} ({op.operation_id}) was added")
            )
    for code, entry in old.error_catalogue.items():
        after = new.error_catalogue.get(code)
        if after is not None and after.status != entry.status:
            changes.append(
                Change(
                    True,
                    "error-code-status-changed",
                    after.pointer,
                    f"error code {code}: status {entry.status} → {after.status}",
                )
            )
    changes.extend(_schema_changes(old, new))
    return sorted(changes, key=lambda c: (not c.breaking, c.pointer, c.message))
