"""The body validates against the response schema the spec documents for the status.

One compiled jsonschema-rs validator per (operation, status), its errors unwrapped into one finding
per violation. This check is the structural net under the others: a violation that a more specific
check reports with a clearer message is left to that check, so the default run reports each
problem once (:func:`owner_of`). Select those checks with it (the default does).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contracts.checks import CheckContext, check
from contracts.checks._schemas import MEDIA, owner, schema_pointer
from contracts.exchange import Exchange
from contracts.findings import Finding
from contracts.spec import Spec, escape_token
from contracts.types import Pointer

_BRANCHING = ("AnyOf", "OneOfNotValid")
_VALUE_KEYWORDS = frozenset({"enum", "type", "pattern", "format"})
_ENVELOPE_KEYWORDS = frozenset({"type", "required", "minItems", "maxItems"})
_ABSENT = object()


def owner_of(spec: Spec, status: int, error: Any) -> str | None:
    """The check that reports ``error`` more clearly, or None when it is this check's to report.

    - a non-null value at an enum or date/timestamp component: ``enum_value_documented``,
      ``date_format``, ``timestamp_format`` (allowed values, casing, an example);
    - an ``anyOf``/``oneOf`` (``[Enum, null]``) one of whose branches failed only that way;
    - the envelope itself (body not an object, ``data``/``errors`` missing, ``data`` null on a
      success or present on an error, ``errors`` and its entries' shape, ``warnings`` not an array):
      the envelope checks (on a 2xx, an ``errors`` entry other than the "no error" sentinel too).
    """
    kind = type(error.kind).__name__
    if kind in _BRANCHING:
        for branch in error.kind.context:
            owners = {owner_of(spec, status, e) for e in branch}
            if branch and None not in owners:
                return owners.pop() if len(owners) == 1 else "several"
        return None
    schema_path, where = error.schema_path, error.instance_path
    keyword = str(schema_path[-1]) if schema_path else ""
    if (
        error.instance is not None
        and len(schema_path) == 4
        and schema_path[:2] == ["components", "schemas"]
        and keyword in _VALUE_KEYWORDS
    ):
        found = owner(spec, str(schema_path[2]))
        if found is not None:
            return found
    return _envelope_owner(status, error, keyword, where)


def _envelope_owner(status: int, error: Any, keyword: str, where: list[str | int]) -> str | None:
    if not where:
        required = keyword == "required" and error.kind.value in ("data", "errors")
        return "envelope_shape" if keyword == "type" or required else None
    head, depth = where[0], len(where)
    if head == "data" and depth == 1 and (status >= 400 or (status < 300 and error.instance is None)):
        return "data_iff_success"
    if head == "warnings" and depth == 1 and keyword == "type":
        return "warnings_shape"
    if head == "errors" and 200 <= status < 300 and depth == 1 and keyword == "not":
        return "data_iff_success"  # a 2xx entry that is not the "no error" sentinel (NoError)
    if head == "errors" and keyword in _ENVELOPE_KEYWORDS:
        if depth == 1:
            return (
                "errors_array_shape"
                if keyword == "type" and error.instance is not None
                else "data_iff_success"
            )
        if depth == 2 or (depth == 3 and where[2] in ("code", "message")):
            return "errors_array_shape"
    return None


Judged = tuple[str | None, Pointer, Pointer, Any]
"""(owning check or None, JSON pointer, spec pointer, jsonschema-rs error) of one schema violation."""
_LAST_JUDGED: tuple[Exchange, list[Judged]] | None = None
"""The last exchange's judged violations: the schema check and the envelope checks of one exchange ask
in turn, so the body is validated with errors once (identity, not equality, keeps it right)."""


def judged(ctx: CheckContext) -> list[Judged]:
    """The documented schema's violations of this exchange's body, each with the check that owns it."""
    global _LAST_JUDGED
    last = _LAST_JUDGED
    if last is not None and last[0] is ctx.exchange:
        return last[1]
    op, ex = ctx.operation, ctx.exchange
    documented = ctx.plan
    found: list[Judged] = []
    if documented is not None and documented.validator is not None and not documented.conforms(ex):
        for error in (leaf for e in documented.validator.iter_errors(ex.json) for leaf in _unwrapped(e)):
            pointer = "".join(f"/{escape_token(str(t))}" for t in error.instance_path)
            spec_pointer = schema_pointer(op, ex.status, MEDIA, error.schema_path)
            found.append((owner_of(ctx.spec, ex.status, error), pointer, spec_pointer, error))
    _LAST_JUDGED = (ex, found)
    return found


def written_at(ctx: CheckContext, check: str, pointer: Pointer, default: Pointer) -> Pointer:
    """Where the documented schema writes the rule ``check`` reports at ``pointer`` (``default`` when
    the status documents no schema, or the schema does not say it): one fact, one spec location."""
    return next((at for by, where, at, _ in judged(ctx) if by == check and where == pointer), default)


@check(requires=["json", "documented_status"], quiet=["schema_valid"])
def response_schema_conformance(ctx: CheckContext) -> Iterator[Finding]:
    """The JSON body conforms to the documented response schema."""
    seen: set[tuple[str, str]] = set()
    for owned_by, pointer, spec_pointer, error in judged(ctx):
        if owned_by is not None or (pointer, spec_pointer) in seen:  # another check's, or met twice
            continue
        seen.add((pointer, spec_pointer))
        yield ctx.finding(
            error.message,
            pointer=pointer,
            spec_pointer=spec_pointer,
            expected=_expected(ctx.spec, spec_pointer, error),
            actual=_summary(error.instance),
        )


def _unwrapped(error: Any) -> Iterator[Any]:
    """A ``oneOf``/``anyOf`` failure as the errors of the one branch the value's type fits.

    ``data`` may be an object or an array (get-target-groups-id): an object with a wrong ``id``
    is reported at ``/data/id`` by the object branch, not as "valid under none of the schemas".
    With no branch or several branches fitting, the failure is reported as it is.
    """
    if type(error.kind).__name__ in _BRANCHING:
        here = list(error.instance_path)
        fitting = [
            branch
            for branch in error.kind.context
            if branch
            and not any(
                list(e.instance_path) == here and e.schema_path and str(e.schema_path[-1]) == "type"
                for e in branch
            )
        ]
        if len(fitting) == 1:
            for inner in fitting[0]:
                yield from _unwrapped(inner)
            return
    yield error


def _expected(spec: Spec, spec_pointer: str, error: Any) -> Any:
    """The failing keyword and its value in the spec (``{"type": "integer"}``)."""
    keyword = str(error.schema_path[-1]) if error.schema_path else ""
    value = spec.schemas.value_at(spec_pointer, _ABSENT)
    if value is _ABSENT:
        value = error.kind.value  # keywords we add at compile time (int32/int64 bounds)
    if keyword in ("anyOf", "oneOf", "allOf"):
        value = f"{keyword} of {len(value)}" if isinstance(value, list) else value
    return {keyword: value}


def _summary(value: Any) -> Any:
    """Scalars as they are; containers by size, so a finding never carries a whole body."""
    if isinstance(value, (dict, list)):
        return f"<{'object' if isinstance(value, dict) else 'array'} of {len(value)}>"
    return value
