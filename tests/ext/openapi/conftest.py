"""Fixtures for the OpenAPI tests: a validator for every generated document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def validate() -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Check a document against the OpenAPI schema of its own version; return it."""
    validator = pytest.importorskip("openapi_spec_validator")

    def check(spec: dict[str, Any]) -> dict[str, Any]:
        validator.validate(spec)
        return spec

    return check
