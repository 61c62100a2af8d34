"""Operation changes, operation by operation: parameters, request body, responses status by status
(error codes in :mod:`contracts.diff.codes`).

Operations are matched by method and path template (``{id}`` and ``{groupId}`` are one template,
path parameters matched by position), so renaming a path parameter or reordering paths is no
change. Every change is reported at the operation where a client meets it.
"""

from __future__ import annotations

import re
from typing import Any

from contracts.diff.change import Change
from contracts.diff.codes import operation_codes, unused_codes
from contracts.diff.resolve import Part, Resolver, expect_object
from contracts.diff.schemas import Schemas, Side
from contracts.errors import SpecError
from contracts.spec import Operation, Spec, join_pointer

JSON_MEDIA = "application/json"
_TEMPLATE = re.compile(r"\{[^}/]*\}")
Params = dict[tuple[str, str], tuple[str, dict[str, Any]]]


def template(path: str) -> str:
    """``/v3/x/{id}`` → ``/v3/x/{}``: the path as a client calls it."""
    return _TEMPLATE.sub("{}", path)


def expect_list(value: Any, pointer: str, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise SpecError(f"{pointer}: {what} must be a list, not {type(value).__name__}")
    return value


def _parameters(res: Resolver, op: Operation) -> Params:
    """(in, name) → (pointer, parameter); path parameters keyed by position, operation level winning."""
    order = [name[1:-1] for name in _TEMPLATE.findall(op.path)]
    found: Params = {}
    item = op.path_item
    for base, params in ((join_pointer("/paths", op.path), item), (op.pointer, op.raw)):
        for index, param in enumerate(
            expect_list(params.get("parameters", []), f"{base}/parameters", "parameters")
        ):
            at, resolved = res.deref(join_pointer(base, "parameters", index), param, "a parameter")
            place, name = resolved.get("in"), resolved.get("name")
            if not isinstance(place, str) or not isinstance(name, str):
                raise SpecError(f"{at}: a parameter needs 'in' and 'name' strings")
            key = (place, name.lower() if place == "header" else name)
            if place == "path" and name in order:
                key = (place, f"#{order.index(name)}")
            found[key] = (at, resolved)
    return found


def _schema_of(at: str, holder: dict[str, Any]) -> Part | None:
    """A parameter's schema (``schema``, or the one media type of ``content``)."""
    if "schema" in holder:
        return Part(f"{at}/schema", holder["schema"])
    media = _content(at, holder)
    return next(iter(media.values()), None)


def _content(at: str, holder: dict[str, Any]) -> dict[str, Part | None]:
    """Media type → its schema, as written under ``content``."""
    content = expect_object(holder.get("content", {}), f"{at}/content", "content")
    found: dict[str, Part | None] = {}
    for media, entry in content.items():
        where = join_pointer(at, "content", media)
        entry = expect_object(entry, where, "a media type object")
        found[media] = Part(f"{where}/schema", entry["schema"]) if "schema" in entry else None
    return found


def _body(res: Resolver, op: Operation, at: str) -> tuple[str, dict[str, Any]] | None:
    """(where, request body) with its ``$ref`` followed, or None when the operation takes none."""
    return res.deref(at, op.raw["requestBody"], "a request body") if "requestBody" in op.raw else None


class _Operation:
    """One operation matched on both sides."""

    def __init__(self, judge: Schemas, before: Operation, after: Operation) -> None:
        self.judge, self.old, self.new, self.before, self.after = judge, judge.old, judge.new, before, after
        self.out: list[Change] = []
        self.label = f"{after.method} {after.path}"

    def change(self, breaking: bool, kind: str, pointer: str, detail: str, where: str, new_at: str) -> None:
        self.out.append(Change(breaking, kind, pointer, detail, self.after.operation_id, where, new_at))

    def compare(self, before: Part | None, after: Part | None, base: str, side: Side) -> None:
        self.out += self.judge.changes(before, after, operation=self.after.operation_id, base=base, side=side)

    def run(self) -> list[Change]:
        self._parameters()
        self._body()
        self._responses()
        self.out += operation_codes(self.before, self.after)
        if self.after.deprecated and not self.before.deprecated:
            at = f"{self.after.pointer}/deprecated"
            self.change(False, "operation-deprecated", at, "now deprecated", self.label, at)
        return self.out

    def _parameters(self) -> None:
        before, after = _parameters(self.old, self.before), _parameters(self.new, self.after)
        for key, (at, param) in before.items():
            what = f"{key[0]} parameter {param['name']}"
            if key not in after:
                new_at = f"{self.after.pointer}/parameters"
                self.change(True, "parameter-removed", at, "removed (clients send it)", what, new_at)
                continue
            now_at, now = after[key]
            if now.get("required") is True and param.get("required") is not True:
                self.change(True, "parameter-now-required", now_at, "now required", what, now_at)
            self.compare(_schema_of(at, param), _schema_of(now_at, now), what, "request")
        for key, (at, param) in after.items():
            if key not in before:
                required = param.get("required") is True
                detail = "added as required (clients do not send it)" if required else "added"
                self.change(
                    required, "parameter-added", at, detail, f"{key[0]} parameter {param['name']}", at
                )

    def _body(self) -> None:
        old_at, new_at = f"{self.before.pointer}/requestBody", f"{self.after.pointer}/requestBody"
        before = _body(self.old, self.before, old_at)
        after = _body(self.new, self.after, new_at)
        if (
            after is not None
            and after[1].get("required") is True
            and (before is None or before[1].get("required") is not True)
        ):
            kind = "request-body-now-required" if before is not None else "request-body-added"
            self.change(True, kind, after[0], "a request body is now required", "request body", after[0])
        elif after is not None and before is None:
            self.change(
                False,
                "request-body-added",
                after[0],
                "an optional request body was added",
                "request body",
                after[0],
            )
        elif before is not None and after is None:
            self.change(
                False, "request-body-removed", before[0], "removed", "request body", self.after.pointer
            )
        if before is not None and after is not None:
            self._media(before, after, "request body", "request")

    def _media(
        self, before: tuple[str, dict[str, Any]], after: tuple[str, dict[str, Any]], base: str, side: Side
    ) -> None:
        old, new = _content(*before), _content(*after)
        for media, schema in old.items():
            where = base if media == JSON_MEDIA else f"{base} ({media})"
            if media in new:
                self.compare(schema, new[media], where, side)
            elif side == "request" and new:
                at = join_pointer(before[0], "content", media)
                self.change(
                    True,
                    "request-media-type-removed",
                    at,
                    "removed (clients send it)",
                    where,
                    f"{after[0]}/content",
                )
        for media in new.keys() - old.keys():
            if side == "response" and old:
                at = join_pointer(after[0], "content", media)
                detail = "added (clients may not parse it)"
                self.change(True, "response-media-type-added", at, detail, f"{base} ({media})", at)

    def _responses(self) -> None:
        old = expect_object(
            self.before.raw.get("responses", {}), f"{self.before.pointer}/responses", "responses"
        )
        new = expect_object(
            self.after.raw.get("responses", {}), f"{self.after.pointer}/responses", "responses"
        )
        for status, response in old.items():
            old_at = join_pointer(self.before.pointer, "responses", status)
            if status not in new:
                new_at = f"{self.after.pointer}/responses"
                self.change(
                    True,
                    "status-removed",
                    old_at,
                    "removed (clients handle it)",
                    f"response {status}",
                    new_at,
                )
                continue
            new_at = join_pointer(self.after.pointer, "responses", status)
            before = self.old.deref(old_at, response, "a response")
            after = self.new.deref(new_at, new[status], "a response")
            self._media(before, after, f"response {status}", "response")
        for status in new.keys() - old.keys():
            at = join_pointer(self.after.pointer, "responses", status)
            self.change(False, "status-added", at, "added", f"response {status}", at)


def diff(old: Spec, new: Spec) -> list[Change]:
    """Every change from ``old`` to ``new`` where a client meets it: breaking first, then by pointer."""
    judge = Schemas(Resolver(old), Resolver(new))
    old_ops = {(op.method, template(op.path)): op for op in old.operations}
    new_ops = {(op.method, template(op.path)): op for op in new.operations}
    old_paths = {template(p): p for p in old.paths}
    new_paths = {template(p): p for p in new.paths}
    changes = unused_codes(old, new)
    for key, op in old_ops.items():
        label = f"{op.method} {op.path}"
        if key in new_ops:
            changes.extend(_Operation(judge, op, new_ops[key]).run())
        elif key[1] in new_paths:
            at = join_pointer("/paths", new_paths[key[1]])
            changes.append(
                Change(
                    True,
                    "operation-removed",
                    op.pointer,
                    "removed (clients call it)",
                    op.operation_id,
                    label,
                    at,
                )
            )
        else:
            changes.append(
                Change(
                    True,
                    "path-removed",
                    join_pointer("/paths", op.path),
                    "removed (clients call it)",
                    op.operation_id,
                    label,
                    "/paths",
                )
            )
    for key, op in new_ops.items():
        if key not in old_ops:
            kind = "operation-added" if key[1] in old_paths else "path-added"
            at = op.pointer if kind == "operation-added" else join_pointer("/paths", op.path)
            changes.append(Change(False, kind, at, "added", op.operation_id, f"{op.method} {op.path}", at))
    kept: dict[tuple[str, str, str], Change] = {}
    for change in changes:  # one change per operation and cause; where one site breaks, it breaks
        first = kept.setdefault((change.operation, change.kind, change.pointer), change)
        if change.breaking and not first.breaking:
            kept[(change.operation, change.kind, change.pointer)] = change
    return sorted(kept.values(), key=lambda c: (not c.breaking, c.pointer, c.kind, c.operation))
