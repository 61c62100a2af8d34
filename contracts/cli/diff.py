"""``contracts diff OLD [NEW]``: breaking changes between two versions of the spec."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import click

from contracts.cli import Context
from contracts.errors import ExitCode
from contracts.report.document import FORMATS, Format


@dataclass(frozen=True)
class DiffSettings:
    """``[tool.contracts.diff]``: the flags' twins."""

    format: Format = "text"


@click.command("diff")
@click.argument("old")
@click.argument("new", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    envvar="CONTRACTS_DIFF_FORMAT",
    help="Output [default: text]; lines are those of the NEW spec file.",
)
@click.pass_obj
def command(ctx: Context, old: str, new: str | None, fmt: Format | None) -> int:
    """Compare OLD (a spec file or a git ref such as main) with NEW (a file or ref; default: the spec).

    Exit 1 when any change is breaking, 2 when a side cannot be read.
    """
    from contracts.config import load_table, settings_from
    from contracts.diff import diff, group, load_file, load_side
    from contracts.diff.formats import WRITERS
    from contracts.lint.locate import Locator

    settings = settings_from(DiffSettings, load_table().get("diff", {}), section="diff", format=fmt)
    spec_path: Path = ctx.spec_path
    before = load_side(old, spec_path=spec_path)
    after = load_side(new, spec_path=spec_path) if new else load_file(spec_path)
    groups = group(diff(before.spec, after.spec))
    line_of = Locator(after.text).line if groups else (lambda _: 1)
    WRITERS[settings.format](sys.stdout, groups, uri=after.uri, line_of=line_of)
    sys.stdout.flush()
    return int(ExitCode.FINDINGS if any(g.breaking for g in groups) else ExitCode.OK)
