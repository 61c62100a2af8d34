"""Every change kind is documented in docs/diff.md; one cause is one group, breaking when any site breaks."""

from __future__ import annotations

import re
from pathlib import Path

from contracts.diff.change import KINDS, Change, group

DOCS = Path(__file__).resolve().parents[2] / "docs" / "diff.md"


def test_every_kind_is_in_the_docs_table_and_nothing_else() -> None:
    table = [line for line in DOCS.read_text().splitlines() if line.startswith("| ") and "`" in line]
    documented = {
        kind for line in table for kind in re.findall(r"`([a-z]+(?:-[a-z]+)+)`", line.split("|")[2])
    }
    assert documented == set(KINDS)


def test_one_cause_met_by_two_operations_is_one_group() -> None:
    cause = "/components/schemas/E/enum/2"
    changes = [
        Change(False, "enum-value-added", cause, "value 'X' added", "create", "request body e"),
        Change(
            True,
            "enum-value-added",
            cause,
            "value 'X' added (clients may receive it)",
            "read",
            "response 200 e",
        ),
        Change(
            True,
            "enum-value-added",
            cause,
            "value 'X' added (clients may receive it)",
            "list",
            "response 200 e[]",
        ),
        Change(False, "status-added", "/paths/~1x/get/responses/429", "added", "read", "response 429"),
    ]
    first, second = group(changes)
    assert (first.breaking, first.kind, first.pointer) == (True, "enum-value-added", cause)
    assert first.operations == ("read", "list")  # the sites that break; the request site does not
    assert first.detail == "value 'X' added (clients may receive it)"
    assert (second.breaking, second.operations) == (False, ("read",))


def test_a_group_that_never_breaks_lists_every_site() -> None:
    changes = [
        Change(False, "property-added", "/components/schemas/T/properties/c", "added", op, "response 200 c")
        for op in ("a", "b")
    ]
    (only,) = group(changes)
    assert not only.breaking and only.operations == ("a", "b")
    assert only.located_at == "/components/schemas/T/properties/c"
