"""Shared type aliases, so signatures say what a value means."""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

JSON: TypeAlias = Any
"""A parsed JSON value (dict, list, str, int, float, bool or None)."""

JSONObject: TypeAlias = dict[str, Any]
Pointer: TypeAlias = str
"""An RFC 6901 JSON pointer, e.g. ``/data/periods/0/periodStatus``."""

OperationId: TypeAlias = str
Severity: TypeAlias = Literal["error", "warning", "info"]
