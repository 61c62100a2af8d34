"""One registry mechanism for checks and lint rules: a name written once, filled into its findings.

A check (:mod:`contracts.checks`) and a lint rule (:mod:`contracts.lint`) are both a small function
registered under its function name, which is its stable public id (config key, ``--checks`` /
``--disable`` value, report and SARIF rule id, docs anchor). Their findings leave ``check`` empty
(:func:`finding`); :meth:`Registry.findings` fills in the name of the entry that produced them, so
a name is never repeated inside a function body. Registering a name a second time from another
module is an error; ``unregister`` is for tests and for users replacing a built-in entry.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from contracts.errors import UsageError, did_you_mean
from contracts.findings import Finding


class Entry(Protocol):
    """What a registry holds: a named function from a module."""

    @property
    def name(self) -> str: ...

    @property
    def function(self) -> Callable[..., Iterable[Finding]]: ...


E = TypeVar("E", bound=Entry)


def summary_of(function: Callable[..., Any]) -> str:
    """The first line of ``function``'s docstring: the one-line description reports show."""
    doc = (function.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else ""


def finding(message: str, **fields: Any) -> Finding:
    """A finding whose ``check`` the registry fills in with the name of the entry that yields it."""
    return Finding("", message, **fields)


def named(name: str, found: Iterable[Finding]) -> Iterator[Finding]:
    """``found`` with ``name`` filled in where the finding leaves ``check`` empty."""
    for item in found:
        yield item if item.check else dataclasses.replace(item, check=name)


class Registry(dict[str, E]):
    """Name → entry, in registration order (a dict, so ``in``, ``get`` and iteration work as usual)."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        """What an entry is called in messages: ``check``, ``lint rule``."""

    def register(self, entry: E) -> E:
        """Add ``entry``; the same name from another module is an error (a module reloaded is not)."""
        existing = self.get(entry.name)
        if existing is not None and existing.function.__module__ != entry.function.__module__:
            raise ValueError(
                f"{self.kind} {entry.name!r} is already registered by {existing.function.__module__}"
            )
        self[entry.name] = entry
        return entry

    def unregister(self, name: str) -> None:
        self.pop(name, None)

    def known(self, names: Iterable[str]) -> list[E]:
        """The entries named, in the order given; UsageError with a did-you-mean for an unknown name."""
        chosen = []
        for name in names:
            if name not in self:
                raise UsageError(f"unknown {self.kind} {name!r}", hint=did_you_mean(name, self))
            chosen.append(self[name])
        return chosen

    @staticmethod
    def findings(entry: Entry, *args: Any) -> Iterator[Finding]:
        """What ``entry``'s function yields for ``args``, each finding carrying the entry's name."""
        return named(entry.name, entry.function(*args))
