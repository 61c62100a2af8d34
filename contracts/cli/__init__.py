"""The command line: the only place that knows flags, exit codes and how errors are shown.

Each sub-command lives in its own module here and returns an :class:`~contracts.errors.ExitCode`;
:func:`main` is the one boundary that turns exceptions into a one-line message and exit code 2.
Everything the CLI prints passes through :class:`SafeStream`: URL userinfo is masked, lone
surrogates and terminal control sequences from hostile input are escaped, whoever wrote the line.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TextIO

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

    def require_valid(self, spec: Spec) -> None:
        """Refuse a spec that is not valid OpenAPI (a schema whose ``type`` is 5, a bad ``pattern``):
        the checks compile its schemas, and such a document cannot be judged against."""
        from contracts.errors import SpecError
        from contracts.lint.structure import openapi_valid, refs_resolvable

        problems = [*openapi_valid(spec), *refs_resolvable(spec)]
        if problems:
            first = problems[0]
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise SpecError(
                f"{spec.path or 'spec'}: not valid OpenAPI: {first.pointer or '/'}: {first.message}{more}",
                hint="`contracts lint` lists every defect",
            )


COMMANDS = ("validate", "run", "mock", "lint", "diff", "proxy", "replay")
"""Sub-commands, each ``contracts.cli.<name>.command``; imported only when invoked (or listed by
``--help``), so ``contracts lint`` does not pay for the mock's or the runner's imports."""


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            import importlib

            self.add_command(importlib.import_module(f"contracts.cli.{cmd_name}").command)
        return self.commands.get(cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    if verbose or ctx.invoked_subcommand not in UNLOGGED_COMMANDS:
        import logging

        level = logging.WARNING - 10 * min(verbose, 2)
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    ctx.obj = Context(spec_path)


UNLOGGED_COMMANDS = ("lint",)
"""Sub-commands whose code and libraries never log: without ``-v`` they skip importing and setting
up :mod:`logging` (~2% of a lint's instructions)."""


def _register_commands() -> None:
    from contracts.cli import diff, lint, mock, proxy, replay, run, validate

    for module in (validate, run, mock, lint, diff, proxy, replay):
        cli.add_command(module.command)


_CONTROL = re.compile(r"\x1b(?!\[[0-9;]*m)|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f]")
"""Control characters, and escape sequences other than colours (SGR), that hostile input could
use to rewrite the terminal; our own reporters only colour."""


def safe_text(text: str) -> str:
    """``text`` fit for a terminal or log: userinfo masked, surrogates and control codes escaped."""
    from contracts.report.redact import redact_userinfo

    if not text.isascii():
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return redact_userinfo(text)


class OutputError(Exception):
    """Writing the output failed (the reader went away, a full disk): not an OSError, so no library
    on the way (click turns EPIPE into exit 1) mistakes it for its own."""

    def __init__(self, cause: OSError) -> None:
        super().__init__(cause.strerror or cause.__class__.__name__)
        self.cause = cause


class SafeStream:
    """A text stream that passes whole lines through :func:`safe_text` to ``target``."""

    def __init__(self, target: TextIO) -> None:
        self.target = target
        self._pending = ""

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError("SafeStream takes text")  # click probes with b"" to tell text from bytes
        self._pending += text
        if "\n" in self._pending:
            lines, _, self._pending = self._pending.rpartition("\n")
            try:
                self.target.write(safe_text(lines + "\n"))
            except OSError as exc:
                raise OutputError(exc) from None
        return len(text)

    def flush(self) -> None:
        try:
            if self._pending:
                pending, self._pending = self._pending, ""
                self.target.write(safe_text(pending))
            self.target.flush()
        except OSError as exc:
            raise OutputError(exc) from None

    @property
    def encoding(self) -> str:
        return "utf-8"

    @property
    def errors(self) -> str:
        return "strict"

    def isatty(self) -> bool:
        return self.target.isatty()

    def fileno(self) -> int:
        return self.target.fileno()

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":  # no way around the filter
            raise AttributeError(name)
        return getattr(self.target, name)


@contextmanager
def _safe_streams() -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    logging = sys.modules.get("logging")  # not imported yet: the root logger has no handlers
    root = logging.getLogger() if logging else None
    handlers, level = (list(root.handlers), root.level) if root else ([], None)
    sys.stdout, sys.stderr = SafeStream(saved[0]), SafeStream(saved[1])
    try:
        yield
    finally:
        # Log handlers set up for this invocation wrote to its streams: they go with them, so an
        # in-process caller (tests, the pytest plugin) is left as it was.
        logging = sys.modules.get("logging")
        if logging is not None:
            root = logging.getLogger()
            for handler in [h for h in root.handlers if h not in handlers]:
                root.removeHandler(handler)
            root.setLevel(logging.WARNING if level is None else level)
        for stream in (sys.stdout, sys.stderr):
            with suppress(OSError, ValueError, OutputError):
                stream.flush()
        sys.stdout, sys.stderr = saved


def _error(message: str, hint: str | None = None) -> int:
    click.echo(f"error: {message}", err=True)
    if hint:
        click.echo(f"hint: {hint}", err=True)
    return int(ExitCode.ERROR)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    from contracts.report.redact import forget_userinfo, remember_userinfo

    forget_userinfo()
    for arg in sys.argv[1:] if argv is None else argv:
        remember_userinfo(arg)  # a password typed into a URL is masked wherever it is echoed
    with _safe_streams():
        try:
            code = _main(argv)
            sys.stdout.flush()  # a verdict not delivered is no verdict: see that it was
            return code
        except OutputError as exc:
            return _output_failed(exc)


def _output_failed(exc: OutputError) -> int:
    """Exit 2: the verdict was not delivered. A reader that went away (``| head``) is told nothing."""
    if isinstance(exc.cause, BrokenPipeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        with suppress(OSError, ValueError):  # so the interpreter's last flush does not complain
            os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
        return int(ExitCode.ERROR)
    with suppress(OutputError):
        _error(f"cannot write the output ({exc})")
    return int(ExitCode.ERROR)


def _main(argv: Sequence[str] | None) -> int:
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None, prog_name="contracts", standalone_mode=False
        )
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        return _error(exc.format_message())
    except click.exceptions.Abort:
        return _error("aborted")
    except ContractsError as exc:
        return _error(exc.message, exc.hint)
    except KeyboardInterrupt:
        return _error("interrupted")
    except OutputError:
        raise
    except RecursionError:
        return _error("input nested too deeply to process", "flatten the document")
    except MemoryError:
        return _error("out of memory: the input is too large to process")
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return _error(f"{where}{exc.strerror or exc.__class__.__name__}")
    except SystemExit as exc:  # a library giving up (uvicorn on a failed startup)
        return int(ExitCode.OK) if exc.code in (0, None) else _error(f"stopped ({exc.code})")
    except Exception:  # noqa: BLE001 - the one place our own bugs are reported, and said to be ours
        click.echo(
            "internal error: this is a bug in contracts, please report it with this traceback:", err=True
        )
        import traceback

        click.echo(traceback.format_exc(), err=True)
        return int(ExitCode.ERROR)
    return int(result) if isinstance(result, int) else int(ExitCode.OK)
