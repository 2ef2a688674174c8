"""Fixtures for the OpenAPI tests: a validator for every generated document."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from support import forgetting_models


@pytest.fixture
def validate() -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Check a document against the OpenAPI schema of its own version; return it."""
    validator = pytest.importorskip("openapi_spec_validator")

    def check(spec: dict[str, Any]) -> dict[str, Any]:
        validator.validate(spec)
        return spec

    return check


@pytest.fixture
def forget_models() -> Iterator[None]:
    """Unmap the Alchemical models a test defines (see ``support.forgetting_models``)."""
    pytest.importorskip("dyne.ext.db.alchemical")
    with forgetting_models():
        yield
