"""CurrentUserHook (once LoginMiddleware): req.state.user, one loader call, bad ids survived."""

from __future__ import annotations

import logging

import pytest


def test_middleware_does_not_call_loader_without_session_or_cookie(client, loads):
    client.get("/me")
    client.get("/no-such-page")
    assert loads == []


def test_middleware_calls_loader_once_per_request(app, auth, client, log_in, loads):
    @app.route("/twice")
    async def twice(req, resp):
        resp.media = {"same": req.state.user is req.state.user}

    log_in("1", remember="yes")
    loads.clear()
    client.get("/twice")
    assert loads == ["1"]


def test_middleware_loads_user_for_unmatched_paths(app, auth, client, log_in):
    seen = []

    @app.error_handler(404)
    async def not_found(req, resp, exc):
        seen.append(req.state.user.username)
        resp.text = "nothing here"

    log_in("2")
    client.get("/missing")
    assert seen == ["bob"]


def test_middleware_accepts_a_sync_user_loader(app, users):
    from dyne.ext.auth.session import LoginManager

    auth = LoginManager(app)

    @auth.user_loader
    def load(user_id):
        return users.get(user_id)

    @app.route("/in", methods=["POST"])
    async def log_in(req, resp):
        await auth.login(req, resp, users["2"])

    @app.route("/me")
    def me(req, resp):
        return {"user": req.state.user.username}

    app.client.post("/in")
    assert app.client.get("/me").json() == {"user": "bob"}


def test_session_id_the_loader_cannot_find_is_anonymous(client, log_in, users):
    log_in("3")
    del users["3"]
    assert client.get("/me").json() == {"user": None}


def test_session_id_the_loader_cannot_find_is_dropped(client, log_in, users, loads):
    log_in("3")
    del users["3"]
    client.get("/me")
    loads.clear()
    client.get("/me")
    assert loads == []  # the stale id left the session: no second lookup


def test_tampered_session_cookie_is_anonymous(client, log_in, loads):
    log_in("1")
    value = client.cookies["dyne-Session"]
    client.cookies.clear()
    client.cookies.set("dyne-Session", value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1])
    loads.clear()
    assert client.get("/me").json() == {"user": None}
    assert loads == []


def test_user_loader_that_raises_is_a_logged_500(app, auth, client, log_in, caplog):
    log_in("1")

    @auth.user_loader
    async def broken(user_id):
        raise LookupError("database is down")

    with caplog.at_level(logging.ERROR, logger="dyne"):
        resp = client.get("/me")
    assert resp.status_code == 500
    assert "alice" not in resp.text
    assert any("LookupError" in record.getMessage() for record in caplog.records)


def test_user_loader_that_raises_never_reaches_a_protected_view(app, auth, client, log_in):
    reached = []

    @app.route("/secret")
    @auth.login_required
    async def secret(req, resp):
        reached.append(True)

    log_in("1")

    @auth.user_loader
    def broken(user_id):
        raise LookupError("database is down")

    assert client.get("/secret").status_code == 500
    assert reached == []


def test_missing_user_loader_is_a_500_naming_the_decorator(app, users, caplog):
    from dyne.ext.auth.session import LoginManager

    auth = LoginManager(app)

    @app.route("/in", methods=["POST"])
    async def log_in(req, resp):
        await auth.login(req, resp, users["1"])

    app.client.post("/in")
    with caplog.at_level(logging.ERROR, logger="dyne"):
        assert app.client.get("/").status_code == 500
    assert any("@auth.user_loader" in str(record.exc_info[1]) for record in caplog.records)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_middleware_sets_state_user_none_for_anonymous(app, auth, scheme):
    from dyne.testing import TestClient

    @app.route("/state")
    async def state(req, resp):
        resp.media = {"has_user": hasattr(req.state, "user"), "user": req.state.user}

    client = TestClient(app, base_url=f"{scheme}://testserver").start()
    assert client.get("/state").json() == {"has_user": True, "user": None}
    client.close()
