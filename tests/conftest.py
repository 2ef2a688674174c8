"""Shared fixtures: a fresh app per test and its in-process client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import dyne


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
