"""The request-scoped session: lazy, one per request, rolled back, committed, closed."""

from __future__ import annotations

import pytest
from alchemical_helpers import count, items_app
from sqlalchemy import event, select

from dyne.ext.db.alchemical import Alchemical


def test_alchemical_attaches_to_app_state(app, database):
    db = Alchemical(app)
    assert app.state.db is db


def test_alchemical_init_app_registers_later(app, database):
    db = Alchemical()
    db.init_app(app)

    @app.route("/")
    async def view(req, resp):
        session = await req.db
        resp.media = {"one": await session.scalar(select(1))}

    assert app.state.db is db
    assert app.client.get("/").json() == {"one": 1}


def test_session_same_object_within_request(app, database):
    Alchemical(app)
    seen = []

    @app.route("/")
    async def view(req, resp):
        first = await req.db
        second = await req.db
        seen.append(first)
        resp.media = {"same": first is second}

    assert app.client.get("/").json() == {"same": True}
    assert app.client.get("/").json() == {"same": True}
    assert seen[0] is not seen[1]


def test_session_untouched_request_opens_no_connection(app, database):
    db, _ = items_app(app)
    checkouts = []

    @app.route("/plain")
    async def plain(req, resp):
        resp.text = "no database here"

    client = app.client
    event.listen(db.get_engine().sync_engine.pool, "checkout", lambda *a: checkouts.append(a))
    assert client.get("/plain").text == "no database here"
    assert checkouts == []
    client.get("/count")
    assert len(checkouts) == 1


def test_session_rolled_back_when_view_raises(app, database):
    _, Item = items_app(app)

    @app.route("/boom", methods=["POST"])
    async def boom(req, resp):
        session = await req.db
        session.add(Item(name="ghost"))
        await session.flush()
        raise RuntimeError("after writing")

    client = app.client
    assert client.post("/boom").status_code == 500
    assert count(client) == 0


def test_session_released_before_error_handlers_run(app, database):
    db, Item = items_app(app)
    seen = {}

    @app.error_handler(LookupError)
    async def handler(req, resp, exc):
        seen["checked_out"] = db.get_engine().pool.checkedout()
        resp.status_code = 409
        resp.text = "handled"

    @app.route("/boom", methods=["POST"])
    async def boom(req, resp):
        session = await req.db
        session.add(Item(name="ghost"))
        await session.flush()
        raise LookupError("after writing")

    response = app.client.post("/boom")
    assert (response.status_code, response.text) == (409, "handled")
    assert seen == {"checked_out": 0}
    assert count(app.client) == 0


def test_session_uncommitted_work_discarded_without_autocommit(app, database):
    _, Item = items_app(app)

    @app.route("/add", methods=["POST"])
    async def add(req, resp):
        session = await req.db
        session.add(Item(name="forgotten"))
        await session.flush()
        resp.status_code = 201

    assert app.client.post("/add").status_code == 201
    assert count(app.client) == 0


def test_session_manual_commit_persists(app, database):
    _, Item = items_app(app)

    @app.route("/add", methods=["POST"])
    async def add(req, resp):
        session = await req.db
        session.add(Item(name="kept"))
        await session.commit()
        resp.status_code = 201

    assert app.client.post("/add").status_code == 201
    assert count(app.client) == 1


def test_session_autocommit_commits_successful_response(app, database):
    db, Item = items_app(app, ALCHEMICAL_AUTOCOMMIT="true")

    @app.route("/add", methods=["POST"])
    async def add(req, resp):
        session = await req.db
        session.add(Item(name="auto"))
        resp.status_code = 201

    assert db.autocommit is True
    assert app.client.post("/add").status_code == 201
    assert count(app.client) == 1


def test_session_autocommit_skips_error_response(app, database):
    _, Item = items_app(app, ALCHEMICAL_AUTOCOMMIT=True)

    @app.route("/add", methods=["POST"])
    async def add(req, resp):
        session = await req.db
        session.add(Item(name="refused"))
        resp.status_code = 422

    assert app.client.post("/add").status_code == 422
    assert count(app.client) == 0


def test_session_autocommit_skips_raising_view(app, database):
    _, Item = items_app(app, ALCHEMICAL_AUTOCOMMIT=True)

    @app.route("/add", methods=["POST"])
    async def add(req, resp):
        session = await req.db
        session.add(Item(name="refused"))
        await session.flush()
        raise LookupError("nope")

    @app.error_handler(LookupError)
    async def handler(req, resp, exc):
        resp.status_code = 400

    assert app.client.post("/add").status_code == 400
    assert count(app.client) == 0


def test_session_closed_after_streaming_response(app, database):
    db, Item = items_app(app)

    @app.route("/stream")
    async def stream(req, resp):
        session = await req.db
        names = (await session.scalars(select(Item.name))).all()

        async def body():
            yield b"names:"
            for name in names:
                yield name.encode()

        resp.stream(body)

    client = app.client
    assert client.get("/stream").content == b"names:"
    assert db.get_engine().pool.checkedout() == 0


def test_session_error_handler_gets_clear_error(app, database):
    Alchemical(app)

    @app.route("/")
    async def view(req, resp):
        await req.db
        raise LookupError("x")

    @app.error_handler(LookupError)
    async def handler(req, resp, exc):
        try:
            await req.db
        except RuntimeError as error:
            resp.text = str(error)
        resp.status_code = 400

    response = app.client.get("/")
    assert response.status_code == 400
    assert "already closed" in response.text
    assert "async with db.Session() as session" in response.text


@pytest.mark.asyncio
async def test_session_client_disconnect_releases_connection(app, database):
    db, Item = items_app(app)
    await db.create_all()
    reached = []

    @app.route("/upload", methods=["POST"])
    async def upload(req, resp):
        session = await req.db
        session.add(Item(name="partial"))
        await session.flush()
        reached.append(True)
        await req.media()

    messages = iter([{"type": "http.disconnect"}])
    sent = []

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/upload",
        "raw_path": b"/upload",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
        "scheme": "http",
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 5000),
        "root_path": "",
        "http_version": "1.1",
    }
    await app(scope, receive, send)
    assert reached == [True]
    assert db.get_engine().pool.checkedout() == 0
    async with db.Session() as session:
        assert (await session.scalars(select(Item))).all() == []
    await db.dispose()


def test_alchemical_disposes_engines_on_shutdown(app, database):
    db, _ = items_app(app)
    client = app.client
    assert count(client) == 0
    assert db.engines is not None
    client.close()
    assert db.engines is None
