"""Fixtures for the database extension: every test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``DYNE_TEST_POSTGRES_URL`` (default: the local server, used only when
it answers). Unreachable → the PostgreSQL cases skip with the reason, except under
``CI=true`` where they fail. Each PostgreSQL test gets a schema of its own, dropped after.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from support import forgetting_models

pytest.importorskip("alchemical")
pytest.importorskip("aiosqlite")


DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


@dataclass
class Database:
    """One database a test runs against, already put in the environment for the app."""

    kind: str
    url: str
    engine_options: dict[str, Any] = field(default_factory=dict)
    schema: str | None = None


def _run(coro_factory: Any) -> Any:
    """Run a coroutine to completion on a private loop, whatever loop the caller has."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro_factory()).result(timeout=60)


def _asyncpg_params(url: str) -> dict[str, Any]:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return {
        "host": parsed.host or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": parsed.username or "postgres",
        "password": parsed.password,
        "database": parsed.database or "postgres",
    }


async def _execute(url: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(**_asyncpg_params(url), timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL URL to test against, or a skip (a failure under CI) saying why not."""
    url = os.environ.get("DYNE_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    try:
        import asyncpg  # noqa: F401

        _run(lambda: _execute(url, "SELECT 1"))
    except Exception as exc:
        reason = f"PostgreSQL at {url} is unreachable ({exc!r}); set DYNE_TEST_POSTGRES_URL"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request, tmp_path, monkeypatch) -> Iterator[Database]:
    """The database of this test, set as ``ALCHEMICAL_DATABASE_URL`` (and engine options)."""
    if request.param == "sqlite":
        # A sync URL on purpose: the extension maps it to sqlite+aiosqlite.
        db = Database("sqlite", f"sqlite:///{tmp_path / 'test.db'}")
        monkeypatch.setenv("ALCHEMICAL_DATABASE_URL", db.url)
        yield db
        return
    url = request.getfixturevalue("postgres_url")
    schema = f"dyne_test_{uuid.uuid4().hex[:12]}"
    _run(lambda: _execute(url, f'CREATE SCHEMA "{schema}"'))
    options = {"connect_args": {"server_settings": {"search_path": schema}}}
    db = Database("postgresql", url, options, schema)
    monkeypatch.setenv("ALCHEMICAL_DATABASE_URL", url)
    monkeypatch.setenv("ALCHEMICAL_ENGINE_OPTIONS", json.dumps(options))
    try:
        yield db
    finally:
        _run(lambda: _execute(url, f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def app(app):
    """The shared app fixture, whose ``app.client`` (if a test started it) is closed after,
    so that shutdown disposes the engines and no connection outlives the test."""
    yield app
    if app._client is not None:
        app._client.close()


@pytest.fixture(autouse=True)
def _forget_models() -> Iterator[None]:
    """Unmap the models a test defines, so the next test may define the tour's again."""
    with forgetting_models():
        yield
