"""``contracts lint``: structural validity and the house rules of the spec."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from contracts.cli import Context
from contracts.errors import ExitCode


@dataclass(frozen=True)
class LintSettings:
    """``[tool.contracts.lint]``: rules to disable or downgrade to warnings."""

    disable: tuple[str, ...] = ()
    warn: tuple[str, ...] = ()


@click.command("lint")
@click.argument("spec_file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "github"]),
    default="text",
    show_default=True,
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Accepted findings; only new ones fail.",
)
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Record the current findings as accepted.",
)
@click.option("--disable", multiple=True, help="Rule to skip (repeatable).")
@click.pass_obj
def command(
    ctx: Context,
    spec_file: Path | None,
    fmt: str,
    baseline: Path | None,
    write_baseline: Path | None,
    disable: tuple[str, ...],
) -> int:
    """Lint the spec. Exit 0 clean, 1 findings at error severity, 2 unreadable input."""
    from contracts import lint
    from contracts.config import load_table, settings_from
    from contracts.lint import baseline as baselines
    from contracts.lint.locate import Locator
    from contracts.report.github import GithubReporter
    from contracts.report.sarif import SarifReporter
    from contracts.spec import Spec

    path = spec_file or ctx.spec_path
    spec = Spec.from_path(path)
    settings = settings_from(
        LintSettings, load_table().get("lint", {}), section="lint", disable=disable or None
    )
    findings = list(lint.iter_findings(spec, disable=settings.disable, warn=settings.warn))
    if write_baseline is not None:
        count = baselines.write(write_baseline, findings)
        click.echo(f"wrote {count} accepted finding(s) to {write_baseline}", err=True)
        return int(ExitCode.OK)
    if baseline is not None:
        findings = baselines.apply(findings, baselines.read(baseline))
    locator = Locator(spec.text or "" if findings else "")  # the line index is only built when needed
    uri = str(path)
    if fmt == "json":
        click.echo(
            json.dumps(
                [{**f.to_dict(), "line": locator.line(f.pointer)} for f in findings], indent=2, default=str
            )
        )
    elif fmt in ("sarif", "github"):
        rules = {name: r.summary for name, r in lint.load_rules().items()}
        reporter = (
            SarifReporter(sys.stdout, uri=uri, line_of=locator.line, rules=rules)
            if fmt == "sarif"
            else GithubReporter(sys.stdout, file=uri, line_of=locator.line)
        )
        reporter.start({})
        for f in findings:
            reporter.handle(f)
        reporter.finish({})
    else:
        for f in findings:
            hint = f.extra.get("hint")
            click.echo(
                f"{uri}:{locator.line(f.pointer)}: {f.severity} {f.check} {f.pointer or '/'}: {f.message}"
                + (f" ({hint})" if hint else "")
            )
        errors = sum(f.severity == "error" for f in findings)
        click.echo(
            f"{uri}: {errors} error(s), {len(findings) - errors} other finding(s)"
            if findings
            else f"{uri}: clean ({len(spec.operations)} operations)"
        )
    return int(ExitCode.FINDINGS if any(f.severity == "error" for f in findings) else ExitCode.OK)
