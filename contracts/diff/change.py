"""What the diff produces: a :class:`Change` where a client meets it, grouped by cause for reporting."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

KINDS: dict[str, str] = {
    "path-removed": "a path clients call was removed",
    "operation-removed": "an operation clients call was removed",
    "operation-added": "an operation was added",
    "operation-deprecated": "an operation is now deprecated",
    "path-added": "a path was added",
    "parameter-removed": "a parameter clients send was removed",
    "parameter-added": "a parameter was added (breaking when required)",
    "parameter-now-required": "a parameter clients may omit is now required",
    "request-body-added": "a request body was added (breaking when required)",
    "request-body-now-required": "a request body is now required",
    "request-body-removed": "the request body was removed",
    "request-media-type-removed": "a media type clients send was removed",
    "response-media-type-added": "a response may now come in a media type clients do not parse",
    "status-removed": "a response status clients handle was removed",
    "status-added": "a response status was added",
    "error-code-added": "an error code was added to an operation",
    "error-code-removed": "an error code was removed from an operation",
    "error-code-status-changed": "the catalogued HTTP status of an error code changed",
    "type-changed": "the types a value may have changed in the direction that breaks its side",
    "now-nullable": "a value may now be null",
    "property-removed": "a field was removed (breaking when clients read it)",
    "property-added": "a field was added (breaking when clients must send it)",
    "property-now-required": "a field is now required (breaking when clients send it)",
    "property-now-optional": "a field is no longer required (breaking when clients read it)",
    "enum-value-added": "an enum value was added (breaking where clients receive it)",
    "enum-value-removed": "an enum value was removed (breaking where clients send it)",
    "enum-added": "a free value is now an enum (breaking where clients send it)",
    "enum-removed": "an enum is now a free value (breaking where clients receive it)",
}
"""Every kind the diff reports, with the one-line description reporters show (SARIF rules)."""


@dataclass(frozen=True)
class Change:
    """One difference, at the operation where a client meets it, with its cause in the spec.

    ``pointer`` is the cause, where the change is written (into OLD for removals, NEW otherwise);
    ``new_pointer`` is where NEW shows it (the container a removal left), for file:line output.
    """

    breaking: bool
    kind: str
    pointer: str
    detail: str
    operation: str = ""
    """The operationId (``""`` for a change no operation meets)."""
    where: str = ""
    """What the client meets: ``GET /v3/x``, ``response 200 data.name``, ``query parameter q``."""
    new_pointer: str = ""

    @property
    def message(self) -> str:
        return f"{self.where}: {self.detail}" if self.where else self.detail

    @property
    def located_at(self) -> str:
        """The pointer to show in NEW."""
        return self.new_pointer or self.pointer


@dataclass(frozen=True)
class Group:
    """One cause and every operation that meets it (what reporters print as one entry)."""

    breaking: bool
    kind: str
    pointer: str
    detail: str
    located_at: str
    sites: tuple[Change, ...] = field(default=())

    @property
    def operations(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.operation for c in self.sites if c.operation))


def group(changes: Iterable[Change]) -> list[Group]:
    """Changes with one cause (kind + pointer) as one group: breaking when any site breaks, and then
    listing only the sites that break; breaking groups first, then by pointer."""
    by_cause: dict[tuple[str, str], list[Change]] = {}
    for change in changes:
        by_cause.setdefault((change.kind, change.pointer), []).append(change)
    groups = []
    for (kind, pointer), found in by_cause.items():
        breaking = [c for c in found if c.breaking]
        sites = breaking or found
        groups.append(
            Group(bool(breaking), kind, pointer, sites[0].detail, sites[0].located_at, tuple(sites))
        )
    return sorted(groups, key=lambda g: (not g.breaking, g.pointer, g.kind, g.detail))
