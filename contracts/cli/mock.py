"""``contracts mock``: serve the stateful mock of the API on loopback."""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass

import click

from contracts.cli import Context
from contracts.cli._params import setting
from contracts.errors import ConfigError, ExitCode


@dataclass(frozen=True)
class MockSettings:
    """``[tool.contracts.mock]``; credentials only by environment variable name."""

    host: str = "127.0.0.1"
    port: int = 4010
    empty: bool = False
    strict: bool = False
    max_entities: int = 10_000
    max_body: int | None = None
    """Bytes; ``None``: the guard's default (contracts.mock.guard.DEFAULT_MAX_BODY, 1 MiB)."""
    credentials_env: str = "CONTRACTS_MOCK_CREDENTIALS"


NOACCESS_ENV = "CONTRACTS_MOCK_NOACCESS_CREDENTIALS"


def parse_credentials(value: str | None, flag: str = "--credentials") -> tuple[str, str] | None:
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ConfigError(f"{flag} must be USER:PASS with both parts non-empty")
    return user, password


def _no_access_credentials(flag: str | None) -> tuple[tuple[str, str], str]:
    """The valid-but-forbidden Basic pair (answered 403) and where it came from."""
    from contracts.runner.auth import LOCAL_NOACCESS_CREDENTIALS

    if flag:
        return parse_credentials(flag, "--no-access-credentials") or LOCAL_NOACCESS_CREDENTIALS, (
            "--no-access-credentials"
        )
    if os.environ.get(NOACCESS_ENV):
        pair = parse_credentials(os.environ[NOACCESS_ENV], f"${NOACCESS_ENV}")
        return pair or LOCAL_NOACCESS_CREDENTIALS, f"${NOACCESS_ENV}"
    return LOCAL_NOACCESS_CREDENTIALS, "the local default noaccess:noaccess"


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
@click.option(
    "--host", type=setting("mock", "host"), default=None, help="Interface to bind (default 127.0.0.1)."
)
@click.option(
    "--port",
    type=setting("mock", "port", "int"),
    default=None,
    help="Port (default 4010; 0 picks a free one and prints it).",
)
@click.option("--empty", is_flag=True, default=None, help="Start without the documentation's objects.")
@click.option(
    "--credentials",
    default=None,
    help="Require USER:PASS (default: $CONTRACTS_MOCK_CREDENTIALS, else $CONTRACTS_BASIC_USER:"
    "$CONTRACTS_BASIC_PASSWORD, else contracts:contracts, what `contracts run` sends to loopback).",
)
@click.option(
    "--no-access-credentials",
    default=None,
    help=f"A valid USER:PASS without access: every operation answers it 403 (default: ${NOACCESS_ENV},"
    " else noaccess:noaccess, what the coverage phase of `contracts run` sends to loopback).",
)
@click.option(
    "--strict", is_flag=True, default=None, help="Check every reply against the spec; a violation is a 500."
)
@click.option(
    "--max-entities", type=click.IntRange(1), default=None, help="Cap on stored entities (default 10000)."
)
@click.option(
    "--max-body",
    type=setting("mock", "max-body", "int"),
    default=None,
    help="Largest request body in bytes (default 1 MiB); a larger one is refused at once with the invalid-input code.",
)
@click.pass_obj
def command(
    ctx: Context,
    host: str | None,
    port: int | None,
    empty: bool | None,
    credentials: str | None,
    no_access_credentials: str | None,
    strict: bool | None,
    max_entities: int | None,
    max_body: int | None,
) -> int:
    """Serve the stateful mock built from the spec."""
    import uvicorn

    from contracts.config import load_table, settings_from
    from contracts.mock import bind, create_app, url_of
    from contracts.mock.guard import http_protocol

    settings = settings_from(
        MockSettings,
        load_table().get("mock", {}),
        section="mock",
        host=host,
        port=port,
        empty=empty,
        strict=strict,
        max_entities=max_entities,
        max_body=max_body,
    )
    creds, source = _required_credentials(credentials, settings.credentials_env)
    forbidden, forbidden_source = _no_access_credentials(no_access_credentials)
    sock = bind(settings.host, settings.port)  # a taken port or a bad host fails before any work
    with sock:  # closed on every way out, a failed spec load included
        ctx.require_valid(ctx.spec)  # a long-lived server: judge the whole document once, up front
        app = create_app(
            ctx.spec,
            empty=settings.empty,
            credentials=creds,
            no_access_credentials=forbidden,
            strict=settings.strict,
            max_entities=settings.max_entities,
            max_body=settings.max_body,
        )
        url = url_of(sock)
        click.echo(
            f"mock of {len(ctx.spec.operations)} operations on {url}"
            f" (credentials required: {source}; no access, 403: {forbidden_source})",
            err=True,
        )
        click.echo(url)  # stdout holds only the URL, for scripts: URL=$(contracts mock --port 0 | head -1)
        # The store is long-lived and only grows: fewer full collections keep the latency tail short.
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)
        config = uvicorn.Config(app, http=http_protocol(ctx.spec), log_level="warning", access_log=False)
        uvicorn.Server(config).run(sockets=[sock])
    return int(ExitCode.OK)
