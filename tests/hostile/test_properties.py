"""Property tests: generated malformed specs, HAR files and config tables never make a command print
a traceback; each gets a verdict or one line and exit 2. Bounded in examples and time."""

from __future__ import annotations

import copy
import json
import math
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.cli.lint import LintSettings
from contracts.cli.mock import MockSettings
from contracts.config import SCHEMA, settings_from
from contracts.errors import ConfigError

from ._support import ROOT, assert_judged, run_cli

MINIMAL = json.loads((ROOT / "tests" / "specs" / "minimal.json").read_text(encoding="utf-8"))
BOUNDED = settings(
    max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "30")),
    deadline=timedelta(seconds=30),  # a bound, not a speed test: the machine is shared
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["\ud800", "\x1b[2J", "#/components/schemas/Nope", "get", "200", "http://u:p@h/"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in ``node`` a value can be replaced (dict keys and list indexes)."""
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _places(value, (*path, index))
    return found


PLACES = _places(MINIMAL)


def _replace(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(document)
    node = changed
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return changed


@st.composite
def malformed_specs(draw: st.DrawFn) -> Any:
    document = MINIMAL
    for _ in range(draw(st.integers(1, 3))):
        places = _places(document) or PLACES
        document = _replace(document, draw(st.sampled_from(places)), draw(values))
    return document


def _write(directory: Path, name: str, document: Any) -> Path:
    file = directory / name
    file.write_text(json.dumps(document), encoding="utf-8", errors="surrogatepass")
    return file


@BOUNDED
@given(document=malformed_specs())
def test_malformed_specs_never_crash_lint_or_validate(
    document: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        spec = _write(Path(folder), "spec.json", document)
        body = _write(Path(folder), "body.json", {"data": None, "errors": None, "warnings": None})
        assert_judged(run_cli(["lint", str(spec)], capsys))
        assert_judged(
            run_cli(["--spec", str(spec), "validate", "-o", "get-targets", "-s", "200", str(body)], capsys)
        )


ENTRY = {
    "request": {"method": "GET", "url": "https://h/v3/targetGroups/channels", "headers": []},
    "response": {
        "status": 200,
        "headers": [{"name": "Content-Type", "value": "application/json"}],
        "content": {"mimeType": "application/json", "text": json.dumps({"data": [], "errors": None})},
    },
}
ENTRY_PLACES = _places(ENTRY)


@st.composite
def malformed_hars(draw: st.DrawFn) -> Any:
    entries: list[Any] = []
    for _ in range(draw(st.integers(1, 3))):
        entry: Any = ENTRY
        for _ in range(draw(st.integers(0, 2))):
            entry = _replace(entry, draw(st.sampled_from(_places(entry) or ENTRY_PLACES)), draw(values))
        entries.append(entry)
    if draw(st.booleans()):
        return {"log": {"entries": draw(st.one_of(values, st.just(entries)))}}
    return {"log": {"version": "1.2", "entries": entries}}


@BOUNDED
@given(har=malformed_hars())
def test_malformed_har_files_never_crash_validate(har: Any, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.dumps(har).encode("utf-8", "surrogatepass")
    outcome = run_cli(["validate", "-"], capsys, stdin=data)
    assert_judged(outcome)


keys = st.sampled_from(
    sorted({k for section in SCHEMA.values() for k in section} | {"format", "disable", "warn", "foo"})
)
toml_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.text(max_size=8),
)
tables = st.dictionaries(keys, st.one_of(toml_scalars, st.lists(toml_scalars, max_size=3)), max_size=4)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    return "[" + ", ".join(_toml(v) for v in value) + "]"


@BOUNDED
@given(table=tables, section=st.sampled_from(["mock", "lint"]))
def test_config_tables_are_valid_settings_or_one_config_error(table: dict[str, Any], section: str) -> None:
    """Either the settings obey the schema, or loading them is a ConfigError naming a key."""
    cls = MockSettings if section == "mock" else LintSettings
    try:
        got = settings_from(cls, table, section=section)
    except ConfigError as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        assert "\n" not in message
        assert f"[tool.contracts.{section}]" in message
    elif isinstance(got, MockSettings):
        assert 0 <= got.port <= 65535 and got.host.strip() and got.max_entities >= 1


@BOUNDED
@given(table=tables)
def test_config_tables_never_crash_lint(table: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        lines = [f"{key} = {_toml(value)}" for key, value in table.items()]
        Path(folder, "pyproject.toml").write_text("[tool.contracts.lint]\n" + "\n".join(lines) + "\n")
        spec = ROOT / "tests" / "specs" / "minimal.json"
        here = os.getcwd()
        os.chdir(folder)
        try:
            outcome = run_cli(["lint", str(spec)], capsys)
        finally:
            os.chdir(here)
        assert_judged(outcome)
