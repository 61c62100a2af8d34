"""``contracts validate``: captured response bodies or HAR files against the spec, offline."""

from __future__ import annotations

import json
from pathlib import Path

import click

from contracts.cli import Context
from contracts.cli._params import jobs_option
from contracts.errors import ContractsError, ExitCode, UsageError


@click.command("validate")
@click.option(
    "--operation", "-o", "operation", help="operationId or documentation slug (not needed for HAR files)."
)
@click.option(
    "--status", "-s", "status", type=click.IntRange(100, 599), help="HTTP status of the saved response."
)
@click.option("--checks", "check_names", help="Comma-separated check names (default: all).")
@click.option(
    "--side",
    type=click.Choice(["request", "response", "both"]),
    default="both",
    show_default=True,
    help="Which side of each HAR entry to judge: the client's request, the server's response, or both.",
)
@click.option(
    "--request", "request", is_flag=True, help="The files are saved request bodies (needs --operation)."
)
@jobs_option("Worker processes judging HAR/NDJSON entries (default: all cores); the report is the same.")
@click.option(
    "--input-format",
    type=click.Choice(["auto", "har", "ndjson", "json"]),
    default="auto",
    show_default=True,
    help="HAR, NDJSON (one HAR entry per line) or a JSON body; auto: .ndjson/.jsonl, else by content.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True))
@click.pass_obj
def command(
    ctx: Context,
    operation: str | None,
    status: int | None,
    check_names: str | None,
    fmt: str,
    files: tuple[Path, ...],
    side: str = "both",
    request: bool = False,
    jobs: int | None = None,
    input_format: str = "auto",
) -> int:
    """Validate saved response bodies (or HAR captures) against the spec; ``-`` reads standard input.

    Exit 0 when every response conforms, 1 on violations, 2 when the input cannot be judged.
    """
    from contracts.checks import select
    from contracts.validate import STDIN, default_jobs, facts, validate_input

    if list(files).count(STDIN) > 1:
        raise UsageError("'-' (standard input) can be given once")
    spec = ctx.spec
    names = [n.strip() for n in check_names.split(",") if n.strip()] if check_names else None
    select(names)  # unknown check names and operations are usage errors before any file is read
    if operation is not None:
        spec.operation(operation)
    try:
        reports = [
            validate_input(
                spec,
                f,
                operation=operation,
                status=status,
                names=names,
                side=side,
                request=request,
                jobs=jobs or default_jobs(),
                input_format=input_format,
            )
            for f in files
        ]
    except ContractsError:
        raise
    except Exception:
        ctx.require_valid(spec)  # a schema the checks cannot compile is the spec's fault: say so
        raise  # a valid spec that breaks a check is our bug, reported as one

    for report in reports:
        if report.har and (operation or status):
            click.echo(
                f"{report.name}: warning: --operation/--status ignored, HAR entries carry their own", err=True
            )
        for item in report.unmatched:
            click.echo(
                f"{report.name}: warning: HAR entry {item.index} {item.method} {item.url} {item.reason}",
                err=True,
            )
    checked = sum(r.exchanges for r in reports)
    if checked == 0:
        raise UsageError("nothing was validated: no HAR entry matched an operation of the spec")
    found = facts(pair for r in reports for pair in r.located)
    if fmt == "json":
        click.echo(json.dumps([fact.to_dict() for fact in found], indent=2, default=str))
    else:
        for fact in found:
            f = fact.finding
            also = f" (also {', '.join(a.check for a in fact.also)})" if fact.also else ""
            where = (
                f"[request] {f.operation}"
                if f.extra.get("side") == "request"
                else f"{f.operation} {f.status}"
            )
            click.echo(f"{fact.source}: {where} {f.check}{also} {f.pointer or '/'}: {f.message}")
        click.echo(
            f"{len(found)} violation(s) in {checked} response(s)"
            if found
            else f"{checked} response(s) conform to the spec"
        )
    # warnings (undocumented_property) are reported but are no violation: the verdict counts errors only
    return int(ExitCode.FINDINGS if any(fact.finding.severity == "error" for fact in found) else ExitCode.OK)
