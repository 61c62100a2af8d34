"""Breaking changes between two versions of the spec, judged on the contract a client meets.

A change is *breaking* when a client written against OLD can fail against a server that follows
NEW: something it calls or reads is gone, something it must now send is new, a value it receives
may now be one it does not know (a new response enum value, a new error code, a field that may
now be null or missing), or a value it sends may now be refused (a request enum value removed, a
type narrowed). Everything else is listed as non-breaking. The table is in docs/diff.md.

Both sides are compared *resolved*: ``resolve`` follows every ``$ref`` and merges ``allOf``,
``operations`` compares each operation's parameters, request body and responses status by
status, and ``schemas`` judges each schema by the side (request or response) where the client
meets it. A change is reported at the operation where a client meets it, with the pointer where it
is written as its cause; ``change.group`` gathers one cause's operations for the reporters in
``formats``. ``sources`` loads each side (a file or a git ref) and ``shape`` refuses documents the
diff cannot read.
"""

from __future__ import annotations

from contracts.diff.change import Change, Group, group
from contracts.diff.operations import diff
from contracts.diff.sources import Side, load_file, load_side

__all__ = ["Change", "Group", "Side", "diff", "group", "load_file", "load_side"]
