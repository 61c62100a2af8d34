"""Every registered check and lint rule has a docs section named after it."""

from pathlib import Path

from contracts.checks import select
from contracts.lint import load_rules

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_check_is_documented() -> None:
    headings = {
        line[3:].strip() for line in (DOCS / "checks.md").read_text().splitlines() if line.startswith("## ")
    }
    assert {c.name for c in select()} <= headings


def test_every_lint_rule_is_documented() -> None:
    headings = {
        line[3:].strip() for line in (DOCS / "lint.md").read_text().splitlines() if line.startswith("## ")
    }
    assert set(load_rules()) <= headings
