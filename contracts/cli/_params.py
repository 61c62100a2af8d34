"""Click parameter types that apply the configuration schema, the options several commands share, and
output locations checked up front.

A flag and its ``[tool.contracts]`` twin are judged by the same :class:`~contracts.config.Constraint`
(:func:`setting`, or :func:`ranged` for click's range types), so ``--timeout nan`` and ``timeout = nan``
fail alike. The options that several commands take (``--timeout``, ``--rate-limit``, ``--report``,
``--jobs``, the credentials' variables) are written once here, each command giving only its help.
Output paths are checked before any work (:func:`writable_file`, :func:`writable_dir`), so a run never
fails at its end because a report cannot be written.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from contracts.config import constraint, value_problem
from contracts.errors import UsageError


class Setting(click.ParamType[Any, Any]):
    """``base`` (click.INT, click.FLOAT, click.STRING) plus the schema's constraint for ``section.key``."""

    def __init__(self, section: str, key: str, base: click.ParamType[Any, Any], hint: Any) -> None:
        self.section, self.key, self.base, self.hint = section, key, base, hint
        self.name = base.name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        converted = self.base.convert(value, param, ctx)
        problem = value_problem(self.section, self.key, converted, self.hint)
        if problem:
            self.fail(
                f"{value!r}: {problem}" if not value or not str(value).strip() else f"{value}: {problem}",
                param,
                ctx,
            )
        return converted

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str | None:
        rule = constraint(self.section, self.key)
        if rule is not None and rule.minimum is not None:
            top = "" if rule.maximum is None else f"<={_num(rule.maximum)}"
            return f"{self.name.upper()} >={_num(rule.minimum)}{top and ' ' + top}"
        return None


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


_HINTS: dict[str, tuple[click.ParamType[Any, Any], Any]] = {
    "int": (click.INT, int),
    "float": (click.FLOAT, float),
    "str": (click.STRING, str),
}


def setting(section: str, key: str, kind: str = "str") -> Setting:
    """The click type of the flag twinned with ``[tool.contracts.<section>] <key>``.

    ``kind`` is ``int``, ``float`` or ``str``. For ``contracts run``:
    ``@click.option("--rate-limit", type=setting("run", "rate-limit", "float"), ...)``.
    """
    if constraint(section, key) is None:
        raise LookupError(f"no schema entry for [tool.contracts.{section}] {key}")
    base, hint = _HINTS[kind]
    return Setting(section, key, base, hint)


def ranged(section: str, key: str, kind: str = "float") -> click.ParamType[Any, Any]:
    """click's ``FloatRange`` (``kind`` ``float``) or ``IntRange`` (``int``) with the bounds the schema
    gives ``[tool.contracts.<section>] <key>``: the bounds are written once, in the schema."""
    rule = constraint(section, key)
    if rule is None or (rule.minimum is None and rule.maximum is None):
        raise LookupError(f"no bounds in the schema for [tool.contracts.{section}] {key}")
    if kind == "int":
        low = None if rule.minimum is None else int(rule.minimum)
        return click.IntRange(low, None if rule.maximum is None else int(rule.maximum))
    return click.FloatRange(rule.minimum, rule.maximum)


F = TypeVar("F", bound=Callable[..., Any])


def timeout_option(section: str, help: str) -> Callable[[F], F]:
    """``--timeout SECONDS`` of ``[tool.contracts.<section>] timeout``."""
    return click.option("--timeout", type=ranged(section, "timeout"), default=None, help=help)


def rate_limit_option(section: str) -> Callable[[F], F]:
    """``--rate-limit`` of ``[tool.contracts.<section>] rate-limit`` (``run``, ``replay``)."""
    return click.option(
        "--rate-limit",
        type=ranged(section, "rate-limit"),
        default=None,
        help="Requests per second (default: unlimited on loopback, 2 elsewhere; 0 = unlimited).",
    )


def report_option(help: str) -> Callable[[F], F]:
    """``--report DIR``: the folder the reports are written to."""
    return click.option("--report", type=click.Path(path_type=Path, file_okay=False), default=None, help=help)


def jobs_option(help: str) -> Callable[[F], F]:
    """``--jobs/-j N``: worker processes (default: all cores)."""
    return click.option("--jobs", "-j", type=click.IntRange(1), default=None, help=help)


def credential_env_options(command: F) -> F:
    """``--basic-user-env``, ``--basic-password-env``, ``--bearer-token-env`` (``run``, ``replay``): the
    variables the credentials are read from, so a secret is never a flag's value."""
    for option in reversed(
        (
            click.option(
                "--basic-user-env",
                default=None,
                help="Variable holding the Basic user (default CONTRACTS_BASIC_USER).",
            ),
            click.option(
                "--basic-password-env",
                default=None,
                help="Variable holding the Basic password (default CONTRACTS_BASIC_PASSWORD); never a password "
                "itself.",
            ),
            click.option(
                "--bearer-token-env",
                default=None,
                help="Variable holding a bearer token (default CONTRACTS_BEARER_TOKEN); never a token itself.",
            ),
        )
    ):
        command = option(command)
    return command


def finite(value: float, flag: str) -> float:
    """``value`` unless it is nan or infinite (for floats that have no schema entry)."""
    if not math.isfinite(value):
        raise UsageError(f"{flag} {value}: must be a finite number")
    return value


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(".")


def writable_file(path: Path, what: str) -> None:
    """Refuse, before any work, an output file that cannot be created or overwritten."""
    if path.is_dir():
        raise UsageError(f"{path}: is a directory; {what} needs a file path")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{path}: cannot write {what}, the folder {parent} does not exist")
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"{path}: cannot write {what}, the file is not writable")
    if not path.exists() and not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"{path}: cannot write {what}, the folder {parent} is not writable")


def writable_dir(path: Path, what: str) -> None:
    """Refuse, before any work, an output folder that is a file or cannot be created."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"{path}: is a file; {what} needs a folder")
    existing = _nearest_existing(path)
    if not existing.is_dir():
        raise UsageError(f"{path}: cannot create {what}, {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"{path}: cannot write {what}, {existing} is not writable")
