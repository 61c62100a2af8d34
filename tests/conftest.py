"""Shared fixtures: the real spec, every sample spec in tests/specs/ (as ``spec_<name>``), payloads."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contracts.spec import DEFAULT_SPEC_PATH, Spec, load_spec

TESTS = Path(__file__).resolve().parent
PAYLOADS = TESTS / "payloads"
SPECS = TESTS / "specs"


@pytest.fixture(scope="session")
def spec() -> Spec:
    """The real ``spec/v3.json``."""
    return load_spec(DEFAULT_SPEC_PATH)


def _spec_fixture(path: Path) -> Callable[[], Spec]:
    @pytest.fixture(scope="session")
    def fixture() -> Spec:
        return load_spec(path)

    return fixture


for _path in sorted(SPECS.glob("*.json")):
    globals()[f"spec_{_path.stem}"] = _spec_fixture(_path)


def load_payload(name: str) -> Any:
    """A real payload from tests/payloads/ by file name."""
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


@pytest.fixture
def payload() -> Callable[[str], Any]:
    return load_payload
