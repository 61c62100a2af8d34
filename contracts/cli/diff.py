"""``contracts diff OLD [NEW]``: breaking changes between two versions of the spec."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from contracts.cli import Context
from contracts.errors import ExitCode


@click.command("diff")
@click.argument("old")
@click.argument("new", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def command(ctx: Context, old: str, new: str | None, fmt: str) -> int:
    """Compare OLD (a spec file or a git ref such as main) with NEW (a file or ref; default: the spec).

    Exit 1 when any change is breaking, 2 when a side cannot be read.
    """
    from contracts.diff import diff, load_side
    from contracts.spec import Spec

    spec_path: Path = ctx.spec_path
    before = load_side(old, spec_path=spec_path)
    after = load_side(new, spec_path=spec_path) if new else Spec.from_path(spec_path)
    changes = diff(before, after)
    breaking = sum(c.breaking for c in changes)
    if fmt == "json":
        data = {"breaking": breaking, "changes": [asdict(c) for c in changes]}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for change in changes:
            label = "BREAKING" if change.breaking else "ok      "
            click.echo(f"{label} {change.kind} {change.pointer}: {change.message}")
        click.echo(f"{breaking} breaking, {len(changes) - breaking} non-breaking change(s)")
    return int(ExitCode.FINDINGS if breaking else ExitCode.OK)
