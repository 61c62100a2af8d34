"""``contracts mock``: serve the stateful mock of the API on loopback."""

from __future__ import annotations

import gc
import os
import socket
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
    sock = bind(settings.host, settings.port)  # a taken port or a bad host fails before any work
    with sock:  # closed on every way out, a failed spec load included
        ctx.require_valid(ctx.spec)  # a long-lived server: judge the whole document once, up front
        app = create_app(
            ctx.spec,
            empty=settings.empty,
            credentials=creds,
            strict=settings.strict,
            max_entities=settings.max_entities,
        )
        port = sock.getsockname()[1]
        where = f"[{settings.host}]" if ":" in settings.host else settings.host
        click.echo(
            f"mock of {len(ctx.spec.operations)} operations on http://{where}:{port}"
            f" (credentials required: {source})",
            err=True,
        )
        # The store is long-lived and only grows: fewer full collections keep the latency tail short.
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)
        config = uvicorn.Config(app, host=settings.host, port=port, log_level="warning", access_log=False)
        uvicorn.Server(config).run(sockets=[sock])
    return int(ExitCode.OK)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: a free one), or a one-line ConfigError."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise ConfigError(
            f"cannot serve on {host!r}: not a host name or address ({reason})",
            hint="use an address such as 127.0.0.1 or ::1",
        ) from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        hint = "choose another --port, or --port 0 for a free one" if exc.errno == 98 else None
        raise ConfigError(f"cannot serve on {host}:{port} ({exc.strerror or exc})", hint=hint) from None
    sock.setblocking(False)
    return sock
