"""Session fixtures of the spec tests: spec/v3.json is read and compiled once."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_core import OpenAPI

from ._support import SPEC_PATH, load_spec_dict


@pytest.fixture(scope="session")
def spec_dict() -> dict[str, Any]:
    """spec/v3.json as plain JSON."""
    return load_spec_dict()


@pytest.fixture(scope="session")
def openapi() -> OpenAPI:
    """spec/v3.json compiled by openapi-core, the reference validator."""
    return OpenAPI.from_file_path(str(SPEC_PATH))
