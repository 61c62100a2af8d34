"""A ``cached_property`` without the lock: objects built once per judged exchange ask each only once.

Python 3.11's :class:`functools.cached_property` takes a lock on every first access; for an exchange
or a check context, built per captured entry, every access is a first access (Python 3.12 dropped
the lock for that reason). Like it, this is a non-data descriptor: once computed, the value sits in
the instance's ``__dict__`` and is read from there (frozen dataclasses included), so it is for objects
used by one thread at a time, as the checks' are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class cached(Generic[T]):
    """``@cached`` on a method: computed on first access, then an attribute of the instance."""

    def __init__(self, function: Callable[[Any], T]) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> T | cached[T]:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.function(instance)
        return value
