"""@db.transaction: commit on success, roll back on error, join an outer transaction."""

from __future__ import annotations

import logging

import pytest
from alchemical_helpers import count, items_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from dyne import _meta
from dyne.exceptions import abort


def test_transaction_commits_on_success(app, database):
    db, Item = items_app(app)

    @app.route("/", methods=["POST"])
    @db.transaction
    async def view(req, resp):
        item = await Item.create(name="committed")
        resp.media = {"id": item.id}

    assert isinstance(app.client.post("/").json()["id"], int)
    assert count(app.client) == 1


def test_transaction_rolls_back_and_reraises(app, database):
    db, Item = items_app(app)

    @app.route("/", methods=["POST"])
    @db.transaction
    async def view(req, resp):
        await Item.create(name="doomed")
        abort(409, "conflict after writing")

    response = app.client.post("/")
    assert (response.status_code, response.text) == (409, "conflict after writing")
    assert count(app.client) == 0


def test_transaction_nested_joins_outer(app, database):
    db, Item = items_app(app)

    @db.transaction
    async def add(name):
        return await Item.create(name=name)

    @app.route("/", methods=["POST"])
    @db.transaction
    async def view(req, resp):
        await add("inner")
        await add("second")
        abort(400, "outer fails after inner calls")

    assert app.client.post("/").status_code == 400
    assert count(app.client) == 0


def test_transaction_nested_commits_once_at_outermost(app, database):
    db, Item = items_app(app)
    commits = []

    def on_commit(session):
        commits.append(session)

    @db.transaction
    async def add(name):
        return await Item.create(name=name)

    @app.route("/", methods=["POST"])
    @db.transaction
    async def view(req, resp):
        await add("one")
        await add("two")
        resp.media = {"commits_so_far": len(commits)}

    event.listen(Session, "after_commit", on_commit)
    try:
        assert app.client.post("/").json() == {"commits_so_far": 0}
    finally:
        event.remove(Session, "after_commit", on_commit)
    assert len(commits) == 1
    assert count(app.client) == 2


def test_transaction_without_request_uses_its_own_session(app, database):
    db, Item = items_app(app)

    @db.transaction
    async def seed():
        await Item.create(name="seeded")

    @app.route("/seed", methods=["POST"])
    async def view(req, resp):
        await seed()
        resp.text = "seeded"

    assert app.client.post("/seed").text == "seeded"
    assert count(app.client) == 1
    assert db.get_engine().pool.checkedout() == 0


def test_transaction_finds_request_in_keyword_arguments(app, database):
    db, Item = items_app(app)

    @db.transaction
    async def add(*, req, name):
        await Item.create(name=name)
        return await req.db

    @app.route("/", methods=["POST"])
    async def view(req, resp):
        used = await add(req=req, name="kw")
        resp.media = {"request_session": used is await req.db}

    assert app.client.post("/").json() == {"request_session": True}
    assert count(app.client) == 1


def test_transaction_keeps_route_metadata(app, database):
    db, _ = items_app(app)

    async def view(req, resp):
        pass

    _meta.annotate(view, output="marker")
    wrapped = db.transaction(view)
    assert _meta.meta_of(wrapped) == {"output": "marker"}
    assert wrapped.__name__ == "view"


def test_transaction_rejects_sync_function(app, database):
    db, _ = items_app(app)

    def view(req, resp):
        pass

    with pytest.raises(TypeError, match=r"define .*view with async def"):
        db.transaction(view)


def test_transaction_with_autocommit_warns_once(app, database, caplog):
    db, _ = items_app(app, ALCHEMICAL_AUTOCOMMIT="yes")
    caplog.set_level(logging.WARNING, logger="dyne.ext.db.alchemical")

    @db.transaction
    async def one(req, resp):
        pass

    @db.transaction
    async def two(req, resp):
        pass

    warnings = [r for r in caplog.records if "ALCHEMICAL_AUTOCOMMIT" in r.getMessage()]
    assert len(warnings) == 1


def test_transaction_decorated_before_init_app_warns_at_init(app, database, caplog):
    from dyne.ext.db.alchemical import Alchemical

    caplog.set_level(logging.WARNING, logger="dyne.ext.db.alchemical")
    db = Alchemical()

    @db.transaction
    async def view(req, resp):
        pass

    assert caplog.records == []
    app.config["ALCHEMICAL_AUTOCOMMIT"] = True
    db.init_app(app)
    assert ["ALCHEMICAL_AUTOCOMMIT" in r.getMessage() for r in caplog.records] == [True]
