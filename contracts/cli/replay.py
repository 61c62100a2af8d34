"""``contracts replay``: re-send a recorded HAR to a server and judge the new answers."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from contracts.cli import Context
from contracts.cli._params import (
    credential_env_options,
    jobs_option,
    rate_limit_option,
    report_option,
    timeout_option,
)
from contracts.errors import ExitCode


@click.command("replay")
@click.argument("har", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--base-url", default=None, help="The server to send the recorded requests to.")
@click.option("--allow-writes", is_flag=True, default=None, help="Also re-send POST/PUT/DELETE/PATCH.")
@rate_limit_option("replay")
@timeout_option("replay", "Request timeout in seconds (10).")
@report_option("Write junit.xml, report.json, summary.md and coverage.json here.")
@jobs_option(
    "Worker processes on loopback when read-only (default: all cores); elsewhere one keeps the pace."
)
@credential_env_options
@click.pass_obj
def command(
    ctx: Context,
    har: Path,
    base_url: str | None,
    allow_writes: bool | None,
    rate_limit: float | None,
    timeout: float | None,
    report: Path | None,
    jobs: int | None = None,
    basic_user_env: str | None = None,
    basic_password_env: str | None = None,
    bearer_token_env: str | None = None,
) -> int:
    """Re-send the requests of HAR (read-only unless --allow-writes) and judge the answers.

    Credentials come from CONTRACTS_BASIC_USER/CONTRACTS_BASIC_PASSWORD or CONTRACTS_BEARER_TOKEN (or
    the variables --basic-user-env, --basic-password-env, --bearer-token-env name).
    Exit 0 conformant, 1 violations, 2 could not judge.
    """
    from contracts.config import load_table, settings_from
    from contracts.errors import UsageError
    from contracts.proxy.replay import ReplaySettings, replay
    from contracts.validate import default_jobs

    settings = settings_from(
        ReplaySettings,
        load_table().get("replay", {}),
        section="replay",
        base_url=base_url,
        allow_writes=allow_writes,
        rate_limit=rate_limit,
        timeout=timeout,
        report=str(report) if report else None,
        basic_user_env=basic_user_env,
        basic_password_env=basic_password_env,
        bearer_token_env=bearer_token_env,
    )
    if not settings.base_url:
        raise UsageError(
            "contracts replay needs --base-url URL", hint="e.g. --base-url https://staging.example.com"
        )
    outcome = replay(ctx.spec, har, settings, sys.stdout, jobs=jobs or default_jobs())
    code: ExitCode = outcome.exit_code
    return int(code)
