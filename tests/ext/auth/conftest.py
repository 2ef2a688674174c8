"""Fixtures for the auth tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def users() -> dict[str, str]:
    """The tour's users."""
    return {"john": "password", "admin": "password123"}
