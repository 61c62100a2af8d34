"""``contracts mock``: serve the stateful mock of the API on loopback."""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass

import click

from contracts.cli import Context
from contracts.errors import ConfigError, ExitCode


@dataclass(frozen=True)
class MockSettings:
    """``[tool.contracts.mock]``; credentials only by environment variable name."""

    host: str = "127.0.0.1"
    port: int = 4010
    empty: bool = False
    strict: bool = False
    max_entities: int = 10_000
    credentials_env: str = "CONTRACTS_MOCK_CREDENTIALS"


def parse_credentials(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ConfigError("--credentials must be USER:PASS with both parts non-empty")
    return user, password


def _required_credentials(flag: str | None, variable: str) -> tuple[tuple[str, str], str]:
    """The Basic pair the mock requires and where it came from (never the secret itself)."""
    from contracts.runner.auth import LOCAL_CREDENTIALS

    if flag:
        return parse_credentials(flag) or LOCAL_CREDENTIALS, "--credentials"
    if os.environ.get(variable):
        return parse_credentials(os.environ[variable]) or LOCAL_CREDENTIALS, f"${variable}"
    user, password = os.environ.get("CONTRACTS_BASIC_USER"), os.environ.get("CONTRACTS_BASIC_PASSWORD")
    if user and password:
        return (user, password), "$CONTRACTS_BASIC_USER/$CONTRACTS_BASIC_PASSWORD"
    return LOCAL_CREDENTIALS, "the local default contracts:contracts"


@click.command("mock")
@click.option("--host", default=None, help="Interface to bind (default 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default 4010).")
@click.option("--empty", is_flag=True, default=None, help="Start without the documentation's objects.")
@click.option(
    "--credentials",
    default=None,
    help="Require USER:PASS (default: $CONTRACTS_MOCK_CREDENTIALS, else $CONTRACTS_BASIC_USER:"
    "$CONTRACTS_BASIC_PASSWORD, else contracts:contracts, what `contracts run` sends to loopback).",
)
@click.option(
    "--strict", is_flag=True, default=None, help="Check every reply against the spec; a violation is a 500."
)
@click.option(
    "--max-entities", type=click.IntRange(1), default=None, help="Cap on stored entities (default 10000)."
)
@click.pass_obj
def command(
    ctx: Context,
    host: str | None,
    port: int | None,
    empty: bool | None,
    credentials: str | None,
    strict: bool | None,
    max_entities: int | None,
) -> int:
    """Serve the stateful mock built from the spec."""
    import uvicorn

    from contracts.config import load_table, settings_from
    from contracts.mock import create_app

    settings = settings_from(
        MockSettings,
        load_table().get("mock", {}),
        section="mock",
        host=host,
        port=port,
        empty=empty,
        strict=strict,
        max_entities=max_entities,
    )
    creds, source = _required_credentials(credentials, settings.credentials_env)
    app = create_app(
        ctx.spec,
        empty=settings.empty,
        credentials=creds,
        strict=settings.strict,
        max_entities=settings.max_entities,
    )
    click.echo(
        f"mock of {len(ctx.spec.operations)} operations on http://{settings.host}:{settings.port} (credentials required: {source})",
        err=True,
    )
    # The store is long-lived and only grows: fewer full collections keep the latency tail short.
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", access_log=False)
    except OSError as exc:
        raise ConfigError(
            f"cannot serve on {settings.host}:{settings.port} ({exc.strerror or exc})"
        ) from None
    return int(ExitCode.OK)
