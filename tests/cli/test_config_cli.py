"""A bad [tool.contracts] key is a one-line error with a did-you-mean, exit 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest

from contracts.cli import main
from contracts.cli._params import ranged
from contracts.config import constraint


def test_unknown_run_key_in_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.contracts.run]\nmax-example = 3\n")
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--base-url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'max-example'" in err
    assert "did you mean 'max-examples'?" in err


def test_wrong_type_in_lint_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.contracts.lint]\ndisable = "enum_upper_snake"\n')
    monkeypatch.chdir(tmp_path)
    spec = Path(__file__).resolve().parent.parent.parent / "spec" / "v3.json"
    assert main(["lint", str(spec)]) == 2
    assert "wrong type" in capsys.readouterr().err


def _flag_types() -> list[tuple[str, str, click.ParamType[Any, Any]]]:
    """(section, key, click type) of every ranged flag of the commands whose settings the schema bounds."""
    from contracts.cli import proxy, replay, run

    found = []
    for section, command in (("run", run.command), ("replay", replay.command), ("proxy", proxy.command)):
        for param in command.params:
            ranged_flag = isinstance(param.type, (click.IntRange, click.FloatRange))
            if ranged_flag and param.name and param.name != "jobs":  # --jobs is no setting: no key
                found.append((section, param.name.replace("_", "-"), param.type))
    return found


def test_a_flags_bounds_are_the_schemas() -> None:
    """--timeout, --rate-limit, --workers, --port, ...: click's range is the key's constraint in the
    config schema, written once there (a flag and its key refuse the same values)."""
    found = _flag_types()
    assert {(s, k) for s, k, _ in found} >= {("run", "timeout"), ("replay", "rate-limit"), ("proxy", "port")}
    for section, key, kind in found:
        rule = constraint(section, key)
        assert rule is not None, (section, key)
        assert (kind.min, kind.max) == (rule.minimum, rule.maximum), (section, key)  # type: ignore[attr-defined]


def test_a_key_without_bounds_has_no_range() -> None:
    with pytest.raises(LookupError, match=r"\[tool.contracts.mock\] host"):
        ranged("mock", "host")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["replay", "x.har", "--timeout", "0.05"], "0.05 is not in the range x>=0.1"),
        (["proxy", "--verdict-cache", "-1"], "-1 is not in the range x>=0"),
        (["run", "--workers", "65"], "65 is not in the range 1<=x<=64"),
    ],
)
def test_a_flag_outside_the_schemas_bounds_is_refused(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    assert message in capsys.readouterr().err
