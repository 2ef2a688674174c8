"""CRUDMixin: each helper through the request's session, and the error without one."""

from __future__ import annotations

import pytest
from alchemical_helpers import count, items_app


@pytest.fixture
def crud(app, database):
    """The items app with an endpoint that runs a CRUD scenario and commits."""
    _, Item = items_app(app)
    return app, Item


def test_crud_create_returns_persisted_instance(crud):
    app, Item = crud

    @app.route("/", methods=["POST"])
    async def view(req, resp):
        session = await req.db
        item = await Item.create(name="a", price=2.5)
        await session.commit()
        resp.media = {"id": item.id, "name": item.name}

    body = app.client.post("/").json()
    assert body["name"] == "a"
    assert isinstance(body["id"], int)
    assert count(app.client) == 1


def test_crud_save_flushes_and_returns_self(crud):
    app, Item = crud

    @app.route("/", methods=["POST"])
    async def view(req, resp):
        await req.db
        item = Item(name="b")
        saved = await item.save()
        resp.media = {"same": saved is item, "id": item.id}

    body = app.client.post("/").json()
    assert body["same"] is True
    assert body["id"] is not None


def test_crud_helpers_never_commit(crud):
    app, Item = crud

    @app.route("/", methods=["POST"])
    async def view(req, resp):
        await req.db
        await Item.create(name="uncommitted")

    assert app.client.post("/").status_code == 200
    assert count(app.client) == 0


def test_crud_patch_updates_known_attributes_only(crud):
    app, Item = crud

    @app.route("/", methods=["POST"])
    async def view(req, resp):
        session = await req.db
        item = await Item.create(name="c", price=1.0)
        await item.patch(price=9.0, role="admin")
        await session.commit()
        found = await Item.find(name="c")
        resp.media = {"price": found.price, "has_role": hasattr(found, "role")}

    assert app.client.post("/").json() == {"price": 9.0, "has_role": False}


def test_crud_modify_is_patch(crud):
    _, Item = crud
    assert Item.modify is Item.patch


def test_crud_destroy_deletes(crud):
    app, Item = crud

    @app.route("/", methods=["POST"])
    async def view(req, resp):
        session = await req.db
        item = await Item.create(name="d")
        await item.destroy()
        await session.commit()
        resp.media = {"left": len(await Item.all())}

    assert app.client.post("/").json() == {"left": 0}


def test_crud_all_returns_every_row(crud):
    app, Item = crud

    @app.route("/", methods=["POST"])
    async def view(req, resp):
        await req.db
        for name in ("x", "y", "z"):
            await Item.create(name=name)
        resp.media = sorted(item.name for item in await Item.all())

    assert app.client.post("/").json() == ["x", "y", "z"]


def test_crud_find_returns_first_match_or_none(crud):
    app, Item = crud

    @app.route("/", methods=["POST"])
    async def view(req, resp):
        await req.db
        await Item.create(name="p", price=3.0)
        await Item.create(name="q", price=3.0)
        match = await Item.find(price=3.0)
        resp.media = {"found": match.name in ("p", "q"), "missing": await Item.find(name="nope")}

    assert app.client.post("/").json() == {"found": True, "missing": None}


def test_crud_get_accepts_path_parameter_string(crud):
    app, Item = crud

    @app.route("/items/{id}")
    async def view(req, resp, id):
        await req.db
        created = await Item.create(name="g")
        by_string = await Item.get(str(created.id))
        resp.media = {"same": by_string is created, "bad": await Item.get(id)}

    assert app.client.get("/items/not-a-number").json() == {"same": True, "bad": None}


def test_crud_without_session_raises_runtime_error(crud):
    app, Item = crud
    seen = []

    @app.route("/")
    async def view(req, resp):
        try:
            await Item.all()
        except RuntimeError as error:
            seen.append(str(error))
        resp.text = "done"

    assert app.client.get("/").text == "done"
    assert seen == ["No active database session. Did you await req.db?"]


def test_crud_session_not_visible_to_next_request(crud):
    app, Item = crud
    seen = []

    @app.route("/with")
    async def with_session(req, resp):
        await req.db
        resp.media = len(await Item.all())

    @app.route("/without")
    async def without_session(req, resp):
        try:
            await Item.all()
        except RuntimeError as error:
            seen.append(str(error))

    client = app.client
    assert client.get("/with").json() == 0
    client.get("/without")
    assert seen == ["No active database session. Did you await req.db?"]


@pytest.mark.parametrize("ident", [2**31, 2**63, -(2**63) - 1, str(2**64)])
def test_crud_get_id_past_the_column_range_is_none(crud, ident):
    app, Item = crud

    @app.route("/")
    async def view(req, resp):
        await req.db
        resp.media = {"found": await Item.get(ident) is not None}

    response = app.client.get("/")
    assert (response.status_code, response.json()) == (200, {"found": False})
