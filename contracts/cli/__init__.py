"""The command line: the only place that knows flags, exit codes and how errors are shown.

Each sub-command lives in its own module here and returns an :class:`~contracts.errors.ExitCode`;
:func:`main` is the one boundary that turns exceptions into a one-line message and exit code 2.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import click

from contracts.errors import ContractsError, ExitCode
from contracts.spec import DEFAULT_SPEC_PATH, Spec, load_spec


class Context:
    """What every sub-command shares: where the spec is, loaded on first use."""

    def __init__(self, spec_path: Path) -> None:
        self.spec_path = spec_path

    @property
    def spec(self) -> Spec:
        return load_spec(self.spec_path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--spec",
    "spec_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_SPEC_PATH,
    show_default="spec/v3.json",
    envvar="CONTRACTS_SPEC",
    help="The OpenAPI document to hold servers to.",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="capillary-contracts")
@click.pass_context
def cli(ctx: click.Context, spec_path: Path, verbose: int) -> None:
    """Contract-testing toolkit for the Capillary Milestones & Streaks v3 API."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    ctx.obj = Context(spec_path)


def _register_commands() -> None:
    from contracts.cli import diff, lint, mock, proxy, replay, run, validate

    for module in (validate, run, mock, lint, diff, proxy, replay):
        cli.add_command(module.command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    _register_commands()
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None, prog_name="contracts", standalone_mode=False
        )
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        return int(ExitCode.ERROR)
    except click.exceptions.Abort:
        click.echo("error: aborted", err=True)
        return int(ExitCode.ERROR)
    except ContractsError as exc:
        click.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"hint: {exc.hint}", err=True)
        return int(ExitCode.ERROR)
    except KeyboardInterrupt:
        click.echo("error: interrupted", err=True)
        return int(ExitCode.ERROR)
    except Exception:  # noqa: BLE001 - the one place our own bugs are reported, and said to be ours
        click.echo(
            "internal error: this is a bug in contracts, please report it with this traceback:", err=True
        )
        click.echo(traceback.format_exc(), err=True)
        return int(ExitCode.ERROR)
    return int(result) if isinstance(result, int) else int(ExitCode.OK)
