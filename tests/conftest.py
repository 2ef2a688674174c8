"""Shared fixtures: a fresh app per test and its in-process client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

import dyne

# Property tests stay bounded so CI stays fast; a failure prints the seed and the
# @reproduce_failure blob that replays it.
settings.register_profile(
    "dyne",
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.load_profile("dyne")


@pytest.fixture
def app(tmp_path, monkeypatch) -> dyne.App:
    """A fresh app, created in an empty working directory so no stray .env is read."""
    monkeypatch.chdir(tmp_path)
    return dyne.App()


@pytest.fixture
def client(app: dyne.App) -> Iterator:
    """``app.client``, with startup already run; shutdown runs when the test ends."""
    client = app.client
    yield client
    client.close()
