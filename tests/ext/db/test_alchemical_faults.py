"""Faults: constraint violations, an unreachable database, many concurrent requests."""

from __future__ import annotations

import asyncio
import contextlib
import json

import httpx2
import pytest
from alchemical_helpers import count, items_app
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from dyne.ext.db.alchemical import Alchemical, DatabaseUnavailable


def test_unique_violation_handled_and_next_request_clean(app, database):
    _, Item = items_app(app)

    @app.error_handler(IntegrityError)
    async def conflict(req, resp, exc):
        resp.status_code = 409
        resp.media = {"error": "name already taken"}

    @app.route("/items", methods=["POST"])
    async def create(req, resp):
        data = await req.media()
        session = await req.db
        session.add(Item(name=data["name"]))
        await session.commit()
        resp.status_code = 201

    client = app.client
    assert client.post("/items", json={"name": "dup"}).status_code == 201
    response = client.post("/items", json={"name": "dup"})
    assert (response.status_code, response.json()) == (409, {"error": "name already taken"})
    assert client.post("/items", json={"name": "fresh"}).status_code == 201
    assert count(client) == 2


def test_unique_violation_caught_in_view_does_not_poison_next_request(app, database):
    db, Item = items_app(app, ALCHEMICAL_AUTOCOMMIT=True)

    @app.route("/items", methods=["POST"])
    async def create(req, resp):
        data = await req.media()
        await req.db
        try:
            await Item.create(name=data["name"])
        except IntegrityError:
            resp.status_code = 400
            resp.media = {"error": "duplicate"}
            return
        resp.status_code = 201

    client = app.client
    assert client.post("/items", json={"name": "dup"}).status_code == 201
    assert client.post("/items", json={"name": "dup"}).status_code == 400
    assert client.post("/items", json={"name": "other"}).status_code == 201
    assert count(client) == 2
    assert db.get_engine().pool.checkedout() == 0


def test_unreachable_sqlite_answers_503_then_recovers(app, tmp_path, monkeypatch):
    folder = tmp_path / "not-yet"
    monkeypatch.setenv("ALCHEMICAL_DATABASE_URL", f"sqlite:///{folder / 'app.db'}")
    Alchemical(app)

    @app.route("/")
    async def view(req, resp):
        session = await req.db
        resp.media = {"one": await session.scalar(select(1))}

    client = app.client
    response = client.get("/")
    assert response.status_code == 503
    assert "database is unavailable" in response.text
    folder.mkdir()
    assert client.get("/").json() == {"one": 1}


def test_engines_remade_after_dispose_still_answer_503(app, tmp_path, monkeypatch):
    folder = tmp_path / "not-yet"
    monkeypatch.setenv("ALCHEMICAL_DATABASE_URL", f"sqlite:///{folder / 'app.db'}")
    db = Alchemical(app)

    @app.route("/")
    async def view(req, resp):
        session = await req.db
        resp.media = {"one": await session.scalar(select(1))}

    first = db.get_engine()
    asyncio.run(db.dispose())
    assert db.engines is None
    assert app.client.get("/").status_code == 503
    assert db.get_engine() is not first  # a new engine, guarded like the first


def test_unreachable_bind_answers_503(app, tmp_path, monkeypatch):
    monkeypatch.setenv("ALCHEMICAL_DATABASE_URL", f"sqlite:///{tmp_path / 'main.db'}")
    monkeypatch.setenv(
        "ALCHEMICAL_BINDS", json.dumps({"archive": f"sqlite:///{tmp_path / 'gone' / 'a.db'}"})
    )
    db = Alchemical(app)

    @app.route("/")
    async def view(req, resp):
        async with db.get_engine("archive").connect() as connection:
            resp.media = {"one": await connection.scalar(select(1))}

    response = app.client.get("/")
    assert response.status_code == 503
    assert "database is unavailable" in response.text


def test_database_unavailable_is_a_503_http_exception():
    error = DatabaseUnavailable()
    assert error.status_code == 503
    assert "try again" in error.detail


class _Proxy:
    """A TCP proxy on 127.0.0.1 that can be stopped and started on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()

    async def _serve(self, reader, writer) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self.writers.update((writer, upstream_writer))

        async def pipe(source, sink):
            with contextlib.suppress(OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
        self.writers.difference_update((writer, upstream_writer))


@pytest.mark.postgres
@pytest.mark.asyncio
async def test_unreachable_postgres_answers_503_then_recovers(app, monkeypatch, postgres_url):
    pytest.importorskip("asyncpg")
    url = make_url(postgres_url)
    proxy = _Proxy((url.host or "127.0.0.1", url.port or 5432))
    await proxy.start()
    via_proxy = url.set(host="127.0.0.1", port=proxy.port)
    monkeypatch.setenv("ALCHEMICAL_DATABASE_URL", via_proxy.render_as_string(hide_password=False))
    db = Alchemical(app)

    @app.route("/")
    async def view(req, resp):
        session = await req.db
        resp.media = {"one": await session.scalar(select(1))}

    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
        try:
            assert (await client.get("/")).json() == {"one": 1}
            await proxy.stop()
            # First the pooled connection is found dead, then a new one cannot be made.
            for _ in range(2):
                response = await client.get("/")
                assert response.status_code == 503
                assert "database is unavailable" in response.text
            await proxy.start()
            assert (await client.get("/")).json() == {"one": 1}
        finally:
            await db.dispose()
            if proxy.server is not None and proxy.server.is_serving():
                await proxy.stop()


@pytest.mark.asyncio
async def test_concurrent_requests_use_separate_sessions(app, database):
    db, Item = items_app(app)
    await db.create_all()
    pool = db.get_engine().pool
    checked_in_at_start = pool.checkedin()
    sessions = []

    @app.route("/items", methods=["POST"])
    async def create(req, resp):
        data = await req.media()
        session = await req.db
        sessions.append(session)
        item = await Item.create(name=data["name"], price=data["price"])
        await session.commit()
        # Yield to the other requests before reading back through the same session.
        await asyncio.sleep(0)
        again = await Item.get(item.id)
        resp.media = {"name": again.name, "price": again.price}

    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    "/items",
                    content=json.dumps({"name": f"n{i}", "price": i}),
                    headers={"content-type": "application/json"},
                )
                for i in range(50)
            )
        )
    bodies = [response.json() for response in responses]
    assert [(b["name"], b["price"]) for b in bodies] == [(f"n{i}", i) for i in range(50)]
    # Kept alive in the list, the same session given twice would show as a repeated id.
    assert len({id(session) for session in sessions}) == 50
    assert pool.checkedout() == 0
    assert pool.checkedin() >= checked_in_at_start
    async with db.Session() as session:
        assert len((await session.scalars(select(Item))).all()) == 50
    await db.dispose()
