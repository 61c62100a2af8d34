"""One configuration table, ``[tool.contracts]`` in ``pyproject.toml``, validated on load.

Each subsystem declares its settings as a frozen dataclass and reads its sub-table with
:func:`settings_from`; every flag has a twin key there and the CLI overrides the file. Secrets are
never stored: settings name the environment variable that holds them.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from contracts.errors import ConfigError, did_you_mean

T = TypeVar("T")


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_table(pyproject: Path | None = None) -> dict[str, Any]:
    """The ``[tool.contracts]`` table (empty when there is none)."""
    file = pyproject or find_pyproject()
    if file is None:
        return {}
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read configuration ({exc})") from None
    table = data.get("tool", {}).get("contracts", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{file}: [tool.contracts] must be a table")
    return table


def _type_ok(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if hint is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, arg) for arg in typing.get_args(hint))
    if origin is typing.Literal:
        return value in typing.get_args(hint)
    if origin in (tuple, list):
        return isinstance(value, (list, tuple)) and all(_type_ok(v, typing.get_args(hint)[0]) for v in value)
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint) if isinstance(hint, type) else True


def settings_from(cls: type[T], table: Mapping[str, Any], *, section: str, **overrides: Any) -> T:
    """Build the frozen dataclass ``cls`` from ``table`` plus CLI ``overrides`` (None = not given).

    Unknown keys and wrongly typed values are a :class:`ConfigError` naming the key.
    """
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls!r} is not a dataclass")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if isinstance(value, dict):
            continue  # a sub-table belongs to another subsystem
        if name not in fields:
            raise ConfigError(
                f"[tool.contracts{'.' + section if section else ''}] unknown key {key!r}",
                hint=did_you_mean(name, fields),
            )
        if not _type_ok(value, hints[name]):
            raise ConfigError(
                f"[tool.contracts{'.' + section if section else ''}] {key} = {value!r}: wrong type"
            )
        values[name] = tuple(value) if isinstance(value, list) else value
    values.update({k: v for k, v in overrides.items() if v is not None})
    return cls(**values)


def secret_from_env(variable: str | None) -> str | None:
    """The secret held by the environment variable ``variable`` (None when unset or empty)."""
    if not variable:
        return None
    return os.environ.get(variable) or None
