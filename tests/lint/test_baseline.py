"""The baseline: accepted findings keyed by rule + pointer; only new ones count; stale ones are info."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.errors import UsageError
from contracts.findings import Finding
from contracts.lint import baseline

OLD = Finding(
    "enum_upper_snake", "TrackingType value 'Streak'", pointer="/a/enum/5", spec_pointer="/a/enum/5"
)
GONE = Finding("no_unused_components", "Orphan", pointer="/b", spec_pointer="/b", severity="warning")
NEW = Finding("enum_no_duplicates", "repeats", pointer="/c/enum/2", spec_pointer="/c/enum/2")


def test_round_trip_keeps_rule_and_pointer_only(tmp_path: Path) -> None:
    file = tmp_path / "baseline.json"
    assert baseline.write(file, [OLD, OLD, GONE]) == 2
    assert baseline.read(file) == {("enum_upper_snake", "/a/enum/5"), ("no_unused_components", "/b")}
    assert "line" not in file.read_text() and "message" not in file.read_text()


def test_only_new_findings_remain_and_stale_entries_are_info(tmp_path: Path) -> None:
    accepted = {baseline.key(OLD), baseline.key(GONE)}
    result = baseline.apply([OLD, NEW], accepted)
    assert result[0] == NEW
    assert [(f.check, f.pointer, f.severity) for f in result[1:]] == [("no_unused_components", "/b", "info")]
    assert "no longer matches" in result[1].message


def test_nothing_new_nothing_stale() -> None:
    assert baseline.apply([OLD], {baseline.key(OLD)}) == []


@pytest.mark.parametrize(
    ("content", "message"), [(None, "no such baseline file"), ("[1]", "not a baseline file")]
)
def test_unreadable_baseline_is_a_usage_error(tmp_path: Path, content: str | None, message: str) -> None:
    file = tmp_path / "baseline.json"
    if content is not None:
        file.write_text(content)
    with pytest.raises(UsageError, match=message):
        baseline.read(file)


def test_unwritable_baseline_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot write"):
        baseline.write(tmp_path / "missing" / "baseline.json", [OLD])
