"""The one value the diff produces."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    """One difference between OLD and NEW: its kind, where (a JSON pointer) and whether it breaks."""

    breaking: bool
    kind: str
    pointer: str
    message: str
