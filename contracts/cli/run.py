"""``contracts run``: the contract suite against a URL, or against the embedded mock."""

from __future__ import annotations

from pathlib import Path

import click

from contracts.cli import Context
from contracts.errors import ExitCode, UsageError


def _names(value: str | None) -> tuple[str, ...] | None:
    return tuple(n.strip() for n in value.split(",") if n.strip()) if value else None


@click.command("run")
@click.option(
    "--base-url", default=None, help="Server to test (default: the embedded mock on a free loopback port)."
)
@click.option(
    "--max-examples",
    type=click.IntRange(1, 10_000),
    default=None,
    help="Examples per operation and phase (default 10).",
)
@click.option(
    "--allow-writes",
    is_flag=True,
    default=None,
    help="Send POST/PUT/DELETE; created resources carry a run prefix and are deleted.",
)
@click.option(
    "--rate-limit",
    type=click.FloatRange(0),
    default=None,
    help="Requests per second (default: unlimited on loopback, 2 elsewhere; 0 = unlimited).",
)
@click.option(
    "--report",
    "report",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write junit.xml, report.json, summary.md, coverage.json here.",
)
@click.option("--checks", "check_names", default=None, help="Comma-separated contract checks (default: all).")
@click.option(
    "--phases", default=None, help="Comma-separated: examples,coverage,fuzzing,stateful (default: all)."
)
@click.option(
    "--timeout", type=click.FloatRange(0.1), default=None, help="Request timeout in seconds (default 10)."
)
@click.option(
    "--basic-user-env",
    default=None,
    help="Environment variable holding the Basic user (default CONTRACTS_BASIC_USER).",
)
@click.option(
    "--basic-password-env",
    default=None,
    help="Environment variable holding the Basic password (default CONTRACTS_BASIC_PASSWORD).",
)
@click.option(
    "--bearer-token-env",
    default=None,
    help="Environment variable holding a bearer token (default CONTRACTS_BEARER_TOKEN).",
)
@click.option("--seed", type=int, default=None, help="Seed for reproducible generation.")
@click.pass_obj
def command(
    ctx: Context,
    base_url: str | None,
    max_examples: int | None,
    allow_writes: bool | None,
    rate_limit: float | None,
    report: Path | None,
    check_names: str | None,
    phases: str | None,
    timeout: float | None,
    basic_user_env: str | None,
    basic_password_env: str | None,
    bearer_token_env: str | None,
    seed: int | None,
) -> int:
    """Run the contract suite. Exit 0 conformant, 1 violations, 2 could not test."""
    from contracts.config import load_table, settings_from
    from contracts.runner import PHASES, RunSettings, run
    from contracts.runner.report import write_reports

    chosen_phases = _names(phases)
    for phase in chosen_phases or ():
        if phase not in PHASES:
            raise UsageError(f"unknown phase {phase!r}", hint=f"choose from {', '.join(PHASES)}")
    settings = settings_from(
        RunSettings,
        load_table().get("run", {}),
        section="run",
        base_url=base_url,
        max_examples=max_examples,
        allow_writes=allow_writes,
        rate_limit=rate_limit,
        report=str(report) if report else None,
        checks=_names(check_names),
        phases=chosen_phases,
        timeout=timeout,
        basic_user_env=basic_user_env,
        basic_password_env=basic_password_env,
        bearer_token_env=bearer_token_env,
        seed=seed,
    )
    result = run(ctx.spec, settings)
    summary = write_reports(ctx.spec, result, Path(settings.report) if settings.report else None)
    for finding in sorted(result.findings, key=lambda f: (f.operation or "", f.check)):
        click.echo(
            f"✗ {finding.operation} {finding.status or ''} {finding.check} {finding.pointer or '/'}: {finding.message}"
        )
        if finding.extra.get("curl"):
            click.echo(f"    {finding.extra['curl']}")
    for line in result.infrastructure[:20]:
        click.echo(f"! infrastructure: {line}", err=True)
    click.echo(
        f"{summary['verdict']}: {summary['violations']} violation(s), {summary['responses']} response(s) from {summary['operations_tested']} operation(s) at {result.base_url}"
        + (f", cleaned up {len(result.cleaned)} created target group(s)" if result.cleaned else "")
    )
    if result.reason:
        click.echo(f"error: {result.reason}", err=True)
    code: ExitCode = result.exit_code
    return int(code)
