"""``contracts proxy``: a validating, recording proxy between an app and a server of the API."""

from __future__ import annotations

from pathlib import Path

import click

from contracts.cli import Context
from contracts.cli._params import ranged, report_option, timeout_option
from contracts.errors import ExitCode


@click.command("proxy")
@click.option("--upstream", default=None, help="The server to forward to, e.g. https://staging.example.com.")
@click.option("--host", default=None, help="Interface to bind (default 127.0.0.1; others get a warning).")
@click.option(
    "--port", type=ranged("proxy", "port", "int"), default=None, help="Port (default 4011; 0 = any free)."
)
@click.option(
    "--record",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Stream every exchange, redacted, to this HAR file.",
)
@report_option("On exit write junit.xml, report.json, summary.md and coverage.json here.")
@click.option(
    "--fallback",
    type=click.Choice(["mock"]),
    default=None,
    help="Answer from the embedded mock when the upstream is unreachable or answers 501.",
)
@click.option("--read-only", is_flag=True, default=None, help="Refuse write methods with a 403 envelope.")
@click.option("--strict", is_flag=True, default=None, help="Answer a violating exchange with a 502 envelope.")
@click.option("--no-header", is_flag=True, default=False, help="Do not add the Contracts-Violations header.")
@timeout_option("proxy", "Upstream timeout in seconds (30).")
@click.option(
    "--verdict-cache",
    type=ranged("proxy", "verdict-cache", "int"),
    default=None,
    help="Distinct answers whose verdict is remembered (4096; 0 = judge every answer afresh).",
)
@click.option(
    "--redact-key",
    "redact_keys",
    multiple=True,
    help="Also mask this query parameter, header or JSON field in the HAR and reports (repeatable).",
)
@click.pass_obj
def command(
    ctx: Context,
    upstream: str | None,
    host: str | None,
    port: int | None,
    record: Path | None,
    report: Path | None,
    fallback: str | None,
    read_only: bool | None,
    strict: bool | None,
    no_header: bool,
    timeout: float | None,
    verdict_cache: int | None,
    redact_keys: tuple[str, ...],
) -> int:
    """Forward to --upstream, judging both sides of every exchange; reports on Ctrl-C/SIGTERM.

    Exit 0 no violations, 1 violations, 2 could not judge (upstream never reachable, nothing matched).
    """
    from contracts.config import load_table, settings_from
    from contracts.errors import UsageError
    from contracts.proxy import ProxySettings
    from contracts.proxy.server import serve
    from contracts.report.redact import Redactor

    table = load_table().get("proxy", {})
    settings = settings_from(
        ProxySettings,
        table,
        section="proxy",
        upstream=upstream,
        host=host,
        port=port,
        record=str(record) if record else None,
        report=str(report) if report else None,
        fallback=fallback,
        read_only=read_only,
        strict=strict,
        header=False if no_header else None,
        timeout=timeout,
        verdict_cache=verdict_cache,
        redact_keys=tuple(redact_keys) or None,
    )
    if not settings.upstream:
        raise UsageError(
            "contracts proxy needs --upstream URL", hint="e.g. --upstream https://staging.example.com"
        )
    spec = ctx.spec
    outcome = serve(spec, settings, Redactor().with_environment())
    code: ExitCode = outcome.exit_code
    return int(code)
