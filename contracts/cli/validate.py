"""``contracts validate``: captured response bodies or HAR files against the spec, offline."""

from __future__ import annotations

import json
from pathlib import Path

import click

from contracts.cli import Context
from contracts.errors import ExitCode, UsageError


@click.command("validate")
@click.option(
    "--operation", "-o", "operation", help="operationId or documentation slug (not needed for HAR files)."
)
@click.option(
    "--status", "-s", "status", type=click.IntRange(100, 599), help="HTTP status of the saved response."
)
@click.option("--checks", "check_names", help="Comma-separated check names (default: all).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def command(
    ctx: Context,
    operation: str | None,
    status: int | None,
    check_names: str | None,
    fmt: str,
    files: tuple[Path, ...],
) -> int:
    """Validate saved response bodies (or HAR captures) against the spec. Exit 0 valid, 1 violations, 2 bad input."""
    from contracts.validate import validate_file

    spec = ctx.spec
    names = [n.strip() for n in check_names.split(",") if n.strip()] if check_names else None
    if operation is not None:
        spec.operation(operation)  # an unknown operation is a usage error before any file is read
    reports = [validate_file(spec, f, operation=operation, status=status, names=names) for f in files]
    total = sum(len(r.findings) for r in reports)
    if sum(r.exchanges for r in reports) == 0:
        raise UsageError("nothing was validated: no HAR entry matched an operation of the spec")
    if fmt == "json":
        click.echo(
            json.dumps(
                [{"file": str(r.path), **f.to_dict()} for r in reports for f in r.findings],
                indent=2,
                default=str,
            )
        )
    else:
        for report in reports:
            for item in report.unmatched:
                click.echo(
                    f"{report.path}: warning: HAR entry {item.index} {item.method} {item.url} matches no operation",
                    err=True,
                )
            for f in report.findings:
                click.echo(
                    f"{report.path}: {f.operation} {f.status} {f.check} {f.pointer or '/'}: {f.message}"
                )
        checked = sum(r.exchanges for r in reports)
        click.echo(
            f"{total} violation(s) in {checked} response(s)"
            if total
            else f"{checked} response(s) conform to the spec"
        )
    return int(ExitCode.FINDINGS if total else ExitCode.OK)
