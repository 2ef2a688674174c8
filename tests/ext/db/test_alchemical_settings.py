"""Configuration: the ALCHEMICAL_* keys, URL mapping, binds, create_all/drop_all."""

from __future__ import annotations

import contextlib
import json
import sqlite3

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Mapped, mapped_column

from dyne.ext.db.alchemical import Alchemical, Model
from dyne.ext.db.alchemical._settings import async_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///app.db", "sqlite+aiosqlite:///app.db"),
        ("postgresql://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("postgres://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("postgresql+asyncpg://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("sqlite+aiosqlite:///:memory:", "sqlite+aiosqlite:///:memory:"),
    ],
)
def test_settings_url_mapped_to_async_driver(url, expected):
    assert async_url(url) == expected


def test_settings_missing_url_names_the_key(app, monkeypatch):
    monkeypatch.delenv("ALCHEMICAL_DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="Missing required config: ALCHEMICAL_DATABASE_URL"):
        Alchemical(app)


def test_settings_url_without_scheme_rejected(app, monkeypatch):
    monkeypatch.setenv("ALCHEMICAL_DATABASE_URL", "app.db")
    with pytest.raises(ValueError, match=r"'app\.db' has no scheme"):
        Alchemical(app)


def test_settings_engine_uses_mapped_driver(app, database):
    db = Alchemical(app)
    assert db.get_engine().url.drivername in ("sqlite+aiosqlite", "postgresql+asyncpg")


def test_settings_autocommit_defaults_off(app, database):
    assert Alchemical(app).autocommit is False


def test_settings_autocommit_read_from_environment(app, database, monkeypatch):
    monkeypatch.setenv("ALCHEMICAL_AUTOCOMMIT", "true")
    assert Alchemical(app).autocommit is True


def test_settings_autocommit_not_boolean_rejected(app, database):
    app.config["ALCHEMICAL_AUTOCOMMIT"] = "sometimes"
    with pytest.raises(ValueError, match="ALCHEMICAL_AUTOCOMMIT='sometimes' is not a boolean"):
        Alchemical(app)


def test_settings_engine_options_from_json_text(app, tmp_path, monkeypatch):
    monkeypatch.setenv("ALCHEMICAL_DATABASE_URL", f"sqlite:///{tmp_path / 'o.db'}")
    monkeypatch.setenv("ALCHEMICAL_ENGINE_OPTIONS", json.dumps({"pool_size": 3}))
    db = Alchemical(app)
    assert db.get_engine().pool.size() == 3


def test_settings_engine_options_from_object(app, tmp_path, monkeypatch):
    monkeypatch.setenv("ALCHEMICAL_DATABASE_URL", f"sqlite:///{tmp_path / 'o.db'}")
    app.config["ALCHEMICAL_ENGINE_OPTIONS"] = {"pool_size": 2}
    assert Alchemical(app).get_engine().pool.size() == 2


def test_settings_invalid_json_names_the_key(app, database, monkeypatch):
    monkeypatch.setenv("ALCHEMICAL_BINDS", "{not json")
    with pytest.raises(ValueError, match="ALCHEMICAL_BINDS is not valid JSON"):
        Alchemical(app)


def test_settings_bind_must_be_url(app, database):
    app.config["ALCHEMICAL_BINDS"] = {"analytics": 42}
    with pytest.raises(ValueError, match=r"ALCHEMICAL_BINDS\['analytics'\] is 42"):
        Alchemical(app)


def test_settings_binds_route_models_to_their_database(app, database, tmp_path, monkeypatch):
    # Engine options apply to every bind, so a PostgreSQL run binds to PostgreSQL again.
    analytics = tmp_path / "analytics.db"
    bind_url = f"sqlite:///{analytics}" if database.kind == "sqlite" else database.url
    monkeypatch.setenv("ALCHEMICAL_BINDS", json.dumps({"analytics": bind_url}))
    db = Alchemical(app)

    class Account(Model):
        id: Mapped[int] = mapped_column(primary_key=True)

    class Event(Model):
        __bind_key__ = "analytics"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str]

    @app.on_event("startup")
    async def create_tables():
        await db.create_all()

    @app.route("/events", methods=["POST"])
    async def add(req, resp):
        session = await req.db
        session.add(Event(name="signup"))
        await session.commit()
        used = session.sync_session.get_bind(mapper=inspect(Event))
        resp.media = {
            "bind": used is db.get_engine("analytics").sync_engine,
            "names": [e.name for e in (await session.scalars(select(Event))).all()],
        }

    assert app.client.post("/events").json() == {"bind": True, "names": ["signup"]}
    assert db.get_engine("analytics") is not db.get_engine()
    if database.kind == "sqlite":
        # sqlite3's own context manager commits but does not close (a ResourceWarning on 3.13).
        with contextlib.closing(sqlite3.connect(analytics)) as connection:
            assert connection.execute("SELECT name FROM event").fetchall() == [("signup",)]
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        assert "account" not in tables


@pytest.mark.asyncio
async def test_settings_create_all_and_drop_all(app, database):
    db = Alchemical(app)

    class Gadget(Model):
        id: Mapped[int] = mapped_column(primary_key=True)

    async def tables():
        async with db.get_engine().connect() as connection:
            return await connection.run_sync(lambda c: inspect(c).get_table_names())

    await db.create_all()
    assert "gadget" in await tables()
    await db.drop_all()
    assert "gadget" not in await tables()
    await db.dispose()
