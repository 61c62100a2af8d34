"""``contracts lint``: structural validity and the house rules of the spec."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import click

from contracts.cli import Context
from contracts.cli._params import writable_file
from contracts.errors import ConfigError, ExitCode, UsageError
from contracts.report.document import FORMATS, Format
from contracts.types import Severity

if TYPE_CHECKING:
    from contracts.findings import Finding


TITLE = "contracts lint"


class LintSettings(NamedTuple):
    """``[tool.contracts.lint]``: the flags' twins, and per-rule severity overrides. A named tuple:
    defining a frozen dataclass (code generated and compiled at import) costs ~1% of a lint."""

    format: Format = "text"
    baseline: str | None = None
    sarif: str | None = None
    disable: tuple[str, ...] = ()
    error: tuple[str, ...] = ()
    warn: tuple[str, ...] = ()
    info: tuple[str, ...] = ()

    def severities(self) -> dict[str, Severity]:
        levels: dict[str, Severity] = {}
        given: tuple[tuple[Severity, tuple[str, ...]], ...] = (
            ("error", self.error),
            ("warning", self.warn),
            ("info", self.info),
        )
        for level, names in given:
            for name in names:
                if levels.setdefault(name, level) != level:
                    raise ConfigError(f"[tool.contracts.lint] rule {name!r} is given two severities")
        return levels


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it (what CI tools expect)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


@click.command("lint")
@click.argument("spec_file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    envvar="CONTRACTS_LINT_FORMAT",
    help="Output [default: text].",
)
@click.option("--baseline", help="Accepted findings (rule + pointer); only new ones fail.")
@click.option(
    "--write-baseline", type=click.Path(path_type=Path, dir_okay=False), help="Accept the current findings."
)
@click.option("--sarif", envvar="CONTRACTS_LINT_SARIF", help="Also write a SARIF log to this file.")
@click.option("--disable", multiple=True, help="Rule to skip (repeatable).")
@click.pass_obj
def command(
    ctx: Context,
    spec_file: Path | None,
    fmt: Format | None,
    baseline: str | None,
    write_baseline: Path | None,
    sarif: str | None,
    disable: tuple[str, ...],
) -> int:
    """Lint the spec. Exit 0 clean (warnings allowed), 1 findings at error severity, 2 unreadable input."""
    from contracts import lint
    from contracts.config import load_table, settings_from
    from contracts.lint import baseline as baselines
    from contracts.report.document import emit
    from contracts.spec import Spec

    path = spec_file or ctx.spec_path
    table = load_table().get("lint", {})
    given = {"format": fmt, "baseline": baseline, "sarif": sarif, "disable": disable or None}
    settings = settings_from(LintSettings, table, section="lint", **given)
    # Every output location is checked before the work, so a lint never fails at its end.
    if write_baseline is not None:
        writable_file(write_baseline, "the baseline")
    if settings.sarif:
        writable_file(Path(settings.sarif), "the SARIF log")
    accepted = baselines.read(Path(settings.baseline)) if settings.baseline else None
    spec = Spec.from_path(path, lenient=True)  # a readable spec's defects are findings, not errors
    findings = list(lint.iter_findings(spec, disable=settings.disable, severity=settings.severities()))
    if write_baseline is not None:
        count = baselines.write(write_baseline, findings)
        click.echo(f"wrote {count} accepted finding(s) to {write_baseline}", err=True)
        return int(ExitCode.OK)
    if accepted is not None:
        findings = baselines.apply(findings, accepted)
    located = _line_index(spec.text or "") if findings else (lambda _: 1)  # built only when needed
    findings.sort(key=lambda f: (located(f.pointer), f.check, f.pointer))
    # Hostile text in the spec (control codes, lone surrogates, URL userinfo) reaches no report raw.
    printable = [(_printable(f), located(f.pointer)) for f in findings]
    line_by_pointer = {f.pointer: line for f, line in printable}
    findings = [f for f, _ in printable]

    def line_of(pointer: str) -> int:
        return line_by_pointer.get(pointer, 1)

    uri = display_path(path)
    rules = {  # the rules that ran: a disabled rule is no passed test case
        name: r.summary.replace("``", "`")
        for name, r in lint.load_rules().items()
        if name not in settings.disable
    }
    if settings.sarif:
        try:
            with open(settings.sarif, "w", encoding="utf-8") as out:
                emit("sarif", out, findings, uri=uri, line_of=line_of, rules=rules, title=TITLE)
        except OSError as exc:
            raise UsageError(f"{settings.sarif}: cannot write the SARIF log ({exc.strerror})") from None
    emit(settings.format, sys.stdout, findings, uri=uri, line_of=line_of, rules=rules, title=TITLE)
    if settings.format == "text":
        errors = sum(f.severity == "error" for f in findings)
        click.echo(
            f"{uri}: {errors} error(s), {len(findings) - errors} other finding(s)"
            if findings
            else f"{uri}: clean ({len(spec.operations)} operations, {len(rules)} rules)"
        )
    return int(ExitCode.FINDINGS if any(f.severity == "error" for f in findings) else ExitCode.OK)


def _line_index(text: str) -> Callable[[str], int]:
    """Pointer → line of ``text`` (its module imported only when a finding needs a line)."""
    from contracts.lint.locate import Locator

    return Locator(text).line


def _printable(finding: Finding) -> Finding:
    """``finding`` with URL userinfo masked and surrogates and control codes escaped: the SARIF
    log is a file, so the CLI's stream filter does not see it."""
    from dataclasses import replace

    from contracts.cli import safe_text

    hint = finding.extra.get("hint")
    return replace(
        finding,
        message=safe_text(finding.message),
        pointer=safe_text(finding.pointer),
        spec_pointer=safe_text(finding.spec_pointer),
        extra={**finding.extra, **({"hint": safe_text(hint)} if isinstance(hint, str) else {})},
    )
