"""Application state (``app.state``) and request state (``req.state``)."""

from __future__ import annotations

import pytest

import dyne


class FakePool:
    """Stands in for a database pool: it only remembers whether it was closed."""

    def __init__(self) -> None:
        self.closed = False

    async def close(self) -> None:
        self.closed = True


async def create_database_pool() -> FakePool:
    return FakePool()


def test_state_tour_samples_run_from_startup_to_shutdown(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App()

    @app.on_event("startup")
    async def startup():
        app.state.db = await create_database_pool()
        app.state.admin_email = "admin@example.com"

    @app.route("/config")
    async def get_config(req, resp):
        email = req.app.state.admin_email
        resp.media = {"contact": email}

    @app.on_event("shutdown")
    async def shutdown():
        await app.state.db.close()

    assert app.client.get("/config").json() == {"contact": "admin@example.com"}
    pool = app.state.db
    assert pool.closed is False
    app.client.close()
    assert pool.closed is True


def test_state_app_state_is_shared_and_mutable(app, client):
    app.state.hits = 0

    @app.route("/")
    def count(req, resp):
        req.app.state.hits += 1
        resp.media = {"hits": req.app.state.hits}

    client.get("/")
    assert client.get("/").json() == {"hits": 2}
    assert app.state.hits == 2


def test_state_missing_app_attribute_raises_attribute_error(app):
    with pytest.raises(AttributeError):
        _ = app.state.nothing_here
    assert getattr(app.state, "nothing_here", "default") == "default"


def test_state_request_state_lives_for_one_request(app, client):
    @app.route(before_request=True)
    def tag(req, resp):
        if "user" in req.params:
            req.state.user = req.params["user"]

    @app.route("/")
    def view(req, resp):
        resp.media = {"user": getattr(req.state, "user", None)}

    assert client.get("/?user=ada").json() == {"user": "ada"}
    assert client.get("/").json() == {"user": None}


def test_state_missing_request_attribute_raises_attribute_error(app, client):
    @app.route("/")
    def view(req, resp):
        try:
            req.state.user  # noqa: B018
        except AttributeError:
            resp.text = "AttributeError"

    assert client.get("/").text == "AttributeError"


def test_state_request_reaches_its_app(app, client):
    @app.route("/")
    def view(req, resp):
        resp.media = {"same": req.app is app}

    assert client.get("/").json() == {"same": True}


def test_state_request_state_is_not_app_state(app, client):
    app.state.name = "app"

    @app.route("/")
    def view(req, resp):
        req.state.name = "request"
        resp.media = {"app": req.app.state.name, "request": req.state.name}

    assert client.get("/").json() == {"app": "app", "request": "request"}
    assert app.state.name == "app"
