"""Breaking changes between two versions of the spec, enums and error codes included.

A change is *breaking* when a client written against OLD can fail against a server that follows
NEW: something it calls or reads is gone, something it must now send is new, a value it receives
may now be one it does not know (a new response enum value, a new error code, a field that may
now be null or missing), or a value it sends may now be refused (a request enum value removed, a
type narrowed). Everything else is listed as non-breaking. The table is in docs/lint.md.

``sources`` loads each side (a file or a git ref), ``operations`` compares operations matched by
method and path, ``schemas`` compares schemas (named components, and the inline schemas of
bodies and parameters) knowing whether requests, responses or both use them.
"""

from __future__ import annotations

from contracts.diff.change import Change
from contracts.diff.operations import diff
from contracts.diff.sources import load_side

__all__ = ["Change", "diff", "load_side"]
