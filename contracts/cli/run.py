"""``contracts run``: the contract suite against a URL, or against the embedded mock."""

from __future__ import annotations

from pathlib import Path

import click

from contracts.cli import Context
from contracts.cli._params import (
    credential_env_options,
    ranged,
    rate_limit_option,
    report_option,
    timeout_option,
)
from contracts.errors import ExitCode


def _names(value: str | None) -> tuple[str, ...] | None:
    return tuple(n.strip() for n in value.split(",") if n.strip()) if value is not None else None


@click.command("run")
@click.option(
    "--base-url", default=None, help="Server to test (default: the embedded mock on a free loopback port)."
)
@click.option(
    "--max-examples",
    type=ranged("run", "max-examples", "int"),
    default=None,
    help="Examples per operation and phase (default 10).",
)
@click.option(
    "--allow-writes",
    is_flag=True,
    default=None,
    help="Send POST/PUT/DELETE; what the run creates carries a run prefix and is deleted at the end.",
)
@click.option(
    "--allow-incomplete",
    is_flag=True,
    default=None,
    help="Selected operations without a judged response are a warning, not exit 2 "
    "(infrastructure failures stay exit 2).",
)
@click.option(
    "--strict",
    is_flag=True,
    default=None,
    help="Warnings (undocumented_property) are violations too.",
)
@click.option(
    "--max-duration",
    type=ranged("run", "max-duration"),
    default=None,
    help="Time budget of the run in seconds (default 1800; 0 = none). Retry-After is honoured within it.",
)
@click.option(
    "--progress",
    type=click.Choice(["auto", "rich", "plain", "off"]),
    default=None,
    help="Progress on stderr: rich on a terminal, plain lines otherwise (default auto).",
)
@rate_limit_option("run")
@report_option("Write junit.xml, report.json, summary.md, coverage.json and report.html here.")
@click.option(
    "--checks",
    "check_names",
    default=None,
    help="Comma-separated checks: ours by name, schemathesis's as schemathesis.<name> (default: all).",
)
@click.option(
    "--phases",
    default=None,
    help="Comma-separated: examples,coverage,fuzzing,stateful,targeted (default: all).",
)
@click.option(
    "--min-coverage",
    default=None,
    help="Fail (exit 1) below these observed shares, e.g. statuses=95,error-codes=95 "
    "(also enum-values, request-enum-values, operations).",
)
@timeout_option("run", "Request timeout in seconds (default 10).")
@click.option(
    "--workers",
    type=ranged("run", "workers", "int"),
    default=None,
    help="Concurrent schemathesis workers (default 1): processes over shares of the operations against "
    "loopback at an unlimited rate, threads otherwise.",
)
@click.option("--basic-user", default=None, help="Basic auth user (default: $CONTRACTS_BASIC_USER).")
@credential_env_options
@click.option("--seed", type=int, default=None, help="Seed for reproducible generation.")
@click.pass_obj
def command(
    ctx: Context,
    base_url: str | None,
    max_examples: int | None,
    allow_writes: bool | None,
    allow_incomplete: bool | None,
    strict: bool | None,
    max_duration: float | None,
    progress: str | None,
    rate_limit: float | None,
    report: Path | None,
    check_names: str | None,
    phases: str | None,
    min_coverage: str | None,
    timeout: float | None,
    workers: int | None,
    basic_user: str | None,
    basic_user_env: str | None,
    basic_password_env: str | None,
    bearer_token_env: str | None,
    seed: int | None,
) -> int:
    """Run the contract suite. Exit 0 conformant, 1 violations, 2 could not judge."""
    from contracts.config import load_table, settings_from
    from contracts.report import FanOut, Reporter
    from contracts.report.bundle import prepare, reporters
    from contracts.report.progress import sink
    from contracts.report.text import TextReporter
    from contracts.runner import RunSettings, run
    from contracts.runner.safety import check_base_url

    settings = settings_from(
        RunSettings,
        load_table().get("run", {}),
        section="run",
        base_url=base_url,
        max_examples=max_examples,
        allow_writes=allow_writes,
        allow_incomplete=allow_incomplete,
        strict=strict,
        max_duration=max_duration,
        progress=progress,
        rate_limit=rate_limit,
        report=str(report) if report else None,
        checks=_names(check_names),
        phases=_names(phases),
        min_coverage=min_coverage,
        timeout=timeout,
        workers=workers,
        basic_user=basic_user,
        basic_user_env=basic_user_env,
        basic_password_env=basic_password_env,
        bearer_token_env=bearer_token_env,
        seed=seed,
    )
    spec = ctx.spec
    if settings.base_url is not None:
        check_base_url(settings.base_url)  # bad input first: nothing created, nothing sent
    directory = prepare(Path(settings.report)) if settings.report else None  # before any request
    result = run(spec, settings, sink(settings.progress))
    outputs: list[Reporter] = [TextReporter()]
    if directory is not None:
        outputs += reporters(directory, result.coverage)
    fan = FanOut(outputs)
    fan.start(result.meta())
    for finding in sorted(result.findings, key=lambda f: (f.operation or "", f.check, f.pointer)):
        fan.handle(finding)
    fan.finish(result.summary())
    code: ExitCode = result.exit_code
    for line in result.verdict_.gate:
        click.echo(f"coverage gate: {line}", err=True)
    if code == ExitCode.ERROR:
        click.echo(f"error: could not judge: {result.reason}", err=True)
        if result.hint:
            click.echo(f"hint: {result.hint}", err=True)
    return int(code)
