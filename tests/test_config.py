"""[tool.contracts] sub-tables load into frozen dataclasses with clear errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

import pytest

from contracts.config import load_table, secret_from_env, settings_from
from contracts.errors import ConfigError


@dataclass(frozen=True)
class Sample:
    rate_limit: float = 2.0
    unknown_enum: Literal["warn", "fail"] = "fail"
    checks: tuple[str, ...] = ()
    password_env: str | None = None


def test_values_flags_and_defaults() -> None:
    table = {"rate-limit": 5, "checks": ["a", "b"]}
    got = settings_from(Sample, table, section="run", unknown_enum=None, password_env="PW")
    assert got == Sample(rate_limit=5, checks=("a", "b"), password_env="PW")


class TupleSample(NamedTuple):
    rate_limit: float = 2.0
    checks: tuple[str, ...] = ()


def test_named_tuple_settings_load_as_dataclasses_do() -> None:
    got = settings_from(TupleSample, {"checks": ["a"]}, section="run", rate_limit=4.5)
    assert got == TupleSample(rate_limit=4.5, checks=("a",))
    with pytest.raises(ConfigError, match="wrong type"):
        settings_from(TupleSample, {"rate-limit": "fast"}, section="run")
    with pytest.raises(ConfigError, match="unknown key 'rate_limt'"):
        settings_from(TupleSample, {"rate_limt": 1}, section="run")


def test_a_class_that_is_neither_is_refused() -> None:
    class Plain:
        rate_limit: float = 2.0

    with pytest.raises(TypeError, match="neither a dataclass nor a named tuple"):
        settings_from(Plain, {}, section="run")


def test_unknown_key_suggests_the_right_one() -> None:
    with pytest.raises(ConfigError) as info:
        settings_from(Sample, {"rate_limt": 1}, section="run")
    assert "unknown key 'rate_limt'" in str(info.value)
    assert info.value.hint == "did you mean 'rate-limit'?"


@pytest.mark.parametrize("table", [{"unknown-enum": "maybe"}, {"rate-limit": "fast"}, {"checks": [1]}])
def test_wrong_types_name_the_key(table: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match="wrong type"):
        settings_from(Sample, table, section="run")


def test_load_table_reads_tool_contracts(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.contracts.run]\nrate-limit = 3\n")
    assert load_table(tmp_path / "pyproject.toml") == {"run": {"rate-limit": 3}}
    (tmp_path / "bad.toml").write_text("[tool.contracts\n")
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_table(tmp_path / "bad.toml")


def test_secrets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_TOKEN", "t0k")
    monkeypatch.setenv("X_EMPTY", "")
    assert secret_from_env("X_TOKEN") == "t0k"
    assert secret_from_env("X_EMPTY") is None
    assert secret_from_env(None) is None


@pytest.mark.parametrize("section", ["run", "mock", "lint", "diff", "proxy", "replay"])
def test_every_command_section_is_known(tmp_path: Path, section: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.contracts.{section}]\n", encoding="utf-8")
    assert load_table(tmp_path / "pyproject.toml") == {section: {}}


@pytest.mark.parametrize(
    ("section", "settings", "table", "problem"),
    [
        ("proxy", "contracts.proxy:ProxySettings", {"port": 70000}, "must be at most 65535"),
        ("proxy", "contracts.proxy:ProxySettings", {"fallback": "upstream"}, "is not one of mock"),
        ("proxy", "contracts.proxy:ProxySettings", {"verdict-cache": -1}, "must be at least 0"),
        ("replay", "contracts.proxy.replay:ReplaySettings", {"timeout": -1}, "must be at least 0.1"),
        ("run", "contracts.runner:RunSettings", {"max-duration": -5}, "must be at least 0"),
        ("run", "contracts.runner:RunSettings", {"base-url": " "}, "must not be empty"),
    ],
)
def test_new_sections_pass_the_same_schema(
    section: str, settings: str, table: dict[str, object], problem: str
) -> None:
    import importlib

    module, name = settings.split(":")
    cls = getattr(importlib.import_module(module), name)
    with pytest.raises(ConfigError, match=problem):
        settings_from(cls, table, section=section)
