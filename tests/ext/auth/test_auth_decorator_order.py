"""A guard placed above ``@app.route`` would wrap a function the app never calls: it is
refused when the decorator runs, with a message that shows the right order."""

from __future__ import annotations

import pytest

import dyne
from dyne.ext.auth import BasicAuth, LoginManager, authenticate

SECRET = "a-test-secret-that-is-long-enough-to-sign-cookies"


@pytest.fixture
def app(tmp_path, monkeypatch) -> dyne.App:
    monkeypatch.chdir(tmp_path)
    return dyne.App(secret_key=SECRET)


def _basic() -> BasicAuth:
    backend = BasicAuth()
    backend.verify_password(lambda username, password: None)
    return backend


def test_authenticate_above_route_is_a_type_error(app):
    with pytest.raises(TypeError, match=r"@authenticate\(\.\.\.\) is above @app.route on view"):

        @authenticate(_basic())
        @app.route("/")
        async def view(req, resp):
            resp.text = "secret"


def test_authenticate_above_route_message_shows_the_order(app):
    with pytest.raises(TypeError) as caught:

        @authenticate(_basic())
        @app.route("/")
        async def view(req, resp):
            pass

    assert "@app.route(...), @authenticate(...), def view(...)" in str(caught.value)


def test_login_required_above_route_is_a_type_error(app):
    auth = LoginManager(app)
    with pytest.raises(TypeError, match=r"@auth\.login_required is above @app\.route"):

        @auth.login_required
        @app.route("/")
        async def view(req, resp):
            pass


def test_login_required_with_roles_above_route_is_a_type_error(app):
    auth = LoginManager(app)
    with pytest.raises(TypeError, match=r"@app\.route"):

        @auth.login_required(role="admin")
        @app.route("/")
        async def view(req, resp):
            pass


def test_guard_above_add_route_is_a_type_error(app):
    async def view(req, resp):
        pass

    app.add_route("/", view)
    with pytest.raises(TypeError, match=r"@app\.route"):
        authenticate(_basic())(view)


def test_guard_below_route_is_accepted(app):
    @app.route("/")
    @authenticate(_basic())
    async def view(req, resp):
        pass

    assert app.client.get("/").status_code == 401
