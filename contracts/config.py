"""One configuration table, ``[tool.contracts]`` in ``pyproject.toml``, validated on load.

Each subsystem declares its settings as a frozen dataclass and reads its sub-table with
:func:`settings_from`; every flag has a twin key there and the CLI overrides the file. Secrets are
never stored: settings name the environment variable that holds them.

One schema for both: :data:`SCHEMA` holds what a setting accepts beyond its type (bounds, choices,
non-empty), and the same :class:`Constraint` judges the config value and the flag's value (through
:func:`settings_from`, and through the click types of :mod:`contracts.cli._params`). Keys are
written hyphenated (``max-examples``); a flag ``--max-examples`` is the twin of that key.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from contracts.errors import ConfigError, did_you_mean

T = TypeVar("T")
MAX_CONFIG_BYTES = 4 * 1024 * 1024
"""A pyproject.toml larger than this is refused rather than read into memory."""


def _phases() -> tuple[str, ...]:
    from contracts.runner.plan import PHASES

    return PHASES


class Constraint(NamedTuple):
    """What a setting accepts beyond its type. Floats are always finite (no nan, no inf).

    A named tuple: defining a frozen dataclass (code generated and compiled at import) costs every
    command ~0.5% of a lint's instructions."""

    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | Callable[[], tuple[str, ...]] | None = None
    """Allowed values (of the value, or of each item of a list); a callable is asked lazily."""
    non_empty: bool = False
    parse: Callable[[str], str | None] | None = None
    """A string's own grammar: why it is not acceptable (None when it is)."""

    def allowed(self) -> tuple[str, ...]:
        return self.choices() if callable(self.choices) else (self.choices or ())

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not acceptable (None when it is); ``value`` already has the right type."""
        if isinstance(value, (list, tuple)):
            return next((p for p in (self.problem(v) for v in value) if p), None)
        if isinstance(value, float) and not math.isfinite(value):
            return "must be a finite number"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if self.minimum is not None and value < self.minimum:
                return f"must be at least {_number(self.minimum)}" + (
                    f" and at most {_number(self.maximum)}" if self.maximum is not None else ""
                )
            if self.maximum is not None and value > self.maximum:
                return f"must be at most {_number(self.maximum)}"
        if isinstance(value, str):
            if self.non_empty and not value.strip():
                return "must not be empty"
            if self.parse is not None and (problem := self.parse(value)):
                return problem
            allowed = self.allowed()
            if allowed and value not in allowed:
                hint = did_you_mean(value, allowed)
                return f"{value!r} is not one of {', '.join(allowed)}" + (f"; {hint}" if hint else "")
        return None


def _bars(value: str) -> str | None:
    from contracts.report.coverage import bars_problem

    problem = bars_problem(value)
    return problem.removeprefix("--min-coverage: ") if problem else None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


NON_EMPTY = Constraint(non_empty=True)
SCHEMA: dict[str, dict[str, Constraint]] = {
    "run": {
        "base-url": NON_EMPTY,
        "max-examples": Constraint(minimum=1, maximum=10_000),
        "rate-limit": Constraint(minimum=0),
        "report": NON_EMPTY,
        "phases": Constraint(choices=_phases),
        "timeout": Constraint(minimum=0.1),
        "workers": Constraint(minimum=1, maximum=64),
        "basic-user-env": NON_EMPTY,
        "basic-password-env": NON_EMPTY,
        "bearer-token-env": NON_EMPTY,
        "max-duration": Constraint(minimum=0),
        "noaccess-user-env": NON_EMPTY,
        "noaccess-password-env": NON_EMPTY,
        "min-coverage": Constraint(non_empty=True, parse=_bars),
    },
    "mock": {
        "host": NON_EMPTY,
        "port": Constraint(minimum=0, maximum=65_535),
        "max-entities": Constraint(minimum=1),
        "max-body": Constraint(minimum=1),
        "credentials-env": NON_EMPTY,
    },
    "lint": {"baseline": NON_EMPTY, "sarif": NON_EMPTY},
    "diff": {},
    "proxy": {
        "upstream": NON_EMPTY,
        "host": NON_EMPTY,
        "port": Constraint(minimum=0, maximum=65_535),
        "record": NON_EMPTY,
        "report": NON_EMPTY,
        "fallback": Constraint(choices=("mock",)),
        "timeout": Constraint(minimum=0.1),
        "max-body": Constraint(minimum=1),
        "verdict-cache": Constraint(minimum=0),
    },
    "replay": {
        "base-url": NON_EMPTY,
        "rate-limit": Constraint(minimum=0),
        "timeout": Constraint(minimum=0.1),
        "report": NON_EMPTY,
        "basic-user-env": NON_EMPTY,
        "basic-password-env": NON_EMPTY,
        "bearer-token-env": NON_EMPTY,
    },
}
"""Section → hyphenated key → constraint. The sections are the only sub-tables [tool.contracts] has."""
SECTIONS = tuple(SCHEMA)


def key_of(name: str) -> str:
    """A dataclass field name as it is written in the config (``max_examples`` → ``max-examples``)."""
    return name.replace("_", "-")


def constraint(section: str, key: str) -> Constraint | None:
    return SCHEMA.get(section, {}).get(key)


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` (default: the working directory)."""
    try:
        here = (start or Path.cwd()).resolve()
    except OSError:
        return None  # the working directory was removed: there is nothing to read
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        try:
            if candidate.is_file():
                return candidate
        except OSError:
            continue
    return None


def _read(file: Path) -> str:
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read configuration ({exc.strerror or exc})") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{file}: larger than {MAX_CONFIG_BYTES // 1024 // 1024} MB, not a configuration")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{file}: not UTF-8 (byte {exc.start + 1} is {data[exc.start : exc.start + 1]!r})",
            hint="TOML files are UTF-8; re-save the file in that encoding",
        ) from None


def load_table(pyproject: Path | None = None) -> dict[str, Any]:
    """The ``[tool.contracts]`` table (empty when there is none); unknown sections are errors."""
    file = pyproject or find_pyproject()
    if file is None:
        return {}
    try:
        data = tomllib.loads(_read(file))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: cannot read configuration ({exc})") from None
    except RecursionError:
        raise ConfigError(f"{file}: cannot read configuration (nested too deeply)") from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{file}: [tool] must be a table")
    table = tool.get("contracts", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{file}: [tool.contracts] must be a table")
    _remember_secrets(table)
    for key, value in table.items():
        if key not in SCHEMA:
            what = "section" if isinstance(value, dict) else "key"
            raise ConfigError(
                f"{file}: unknown {what} [tool.contracts.{key}]"
                if isinstance(value, dict)
                else f"{file}: [tool.contracts] unknown key {key!r}",
                hint=did_you_mean(key, SECTIONS) or f"the sections are {', '.join(SECTIONS)}",
            )
        if not isinstance(value, dict):
            raise ConfigError(f"{file}: [tool.contracts] {key} must be a table ([tool.contracts.{key}])")
    return table


def _remember_secrets(table: Any) -> None:
    """URL passwords written in the configuration are masked in every later output."""
    from contracts.report.redact import remember_userinfo

    stack = [table]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            remember_userinfo(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _type_ok(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if hint is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, arg) for arg in typing.get_args(hint))
    if origin is typing.Literal:
        return any(value == arg and type(value) is type(arg) for arg in typing.get_args(hint))
    if origin in (tuple, list):
        return isinstance(value, (list, tuple)) and all(_type_ok(v, typing.get_args(hint)[0]) for v in value)
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint) if isinstance(hint, type) else True


def _describe(hint: Any) -> str:
    """``tuple[str, ...]`` → ``a list of strings``: what a wrongly typed value should have been."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in typing.get_args(hint) if a is not type(None))
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(hint))
    if origin in (tuple, list):
        return f"a list of {_describe(typing.get_args(hint)[0])}s"
    names = {str: "string", int: "integer", float: "number", bool: "boolean (true/false)"}
    return names.get(hint, getattr(hint, "__name__", str(hint)))


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def value_problem(section: str, key: str, value: Any, hint: Any) -> str | None:
    """Why ``value`` is not acceptable for ``section.key`` of type ``hint`` (None when it is)."""
    if not _type_ok(value, hint):
        return f"wrong type, expected {_describe(hint)}"
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number"
    rule = constraint(section, key)
    return rule.problem(value) if rule is not None and value is not None else None


def check_value(section: str, key: str, value: Any, hint: Any, *, where: str) -> Any:
    """``value`` checked against its type ``hint`` and the schema; ``where`` names it in errors."""
    problem = value_problem(section, key, value, hint)
    if problem:
        joiner = " " if where.startswith("--") else " = "
        raise ConfigError(f"{where}{joiner}{_shown(value)}: {problem}")
    return tuple(value) if isinstance(value, list) else value


def _field_names(cls: type[Any]) -> tuple[str, ...]:
    """The fields of a settings class: a frozen dataclass, or a named tuple (cheaper to define)."""
    if dataclasses.is_dataclass(cls):
        return tuple(f.name for f in dataclasses.fields(cls))
    fields = getattr(cls, "_fields", None)
    if issubclass(cls, tuple) and isinstance(fields, tuple):
        return fields
    raise TypeError(f"{cls!r} is neither a dataclass nor a named tuple")


def settings_from(cls: type[T], table: Mapping[str, Any], *, section: str, **overrides: Any) -> T:
    """Build the frozen dataclass (or named tuple) ``cls`` from ``table`` plus CLI ``overrides``
    (None = not given).

    Keys are hyphenated; unknown keys, wrongly typed values and values the schema refuses are a
    :class:`ConfigError` naming the key (or the flag, for an override), with a did-you-mean.
    """
    names = _field_names(cls)
    hints = typing.get_type_hints(cls)
    keys = {key_of(name): name for name in names}
    label = f"[tool.contracts{'.' + section if section else ''}]"
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in keys:
            raise ConfigError(f"{label} unknown key {key!r}", hint=did_you_mean(key, keys))
        name = keys[key]
        values[name] = check_value(section, key, value, hints[name], where=f"{label} {key}")
    for name, value in overrides.items():
        if value is not None:
            where = f"--{key_of(name)}"
            values[name] = check_value(section, key_of(name), value, hints[name], where=where)
    return cls(**values)


def secret_from_env(variable: str | None) -> str | None:
    """The secret held by the environment variable ``variable`` (None when unset or empty)."""
    if not variable:
        return None
    return os.environ.get(variable) or None
