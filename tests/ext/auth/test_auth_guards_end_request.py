"""A refused guard ends the request: on a class view's ``on_request`` it stops the method
handler, whichever auth family refused, and OPTIONS is guarded like any other method."""

from __future__ import annotations

from typing import Any

import pytest

import dyne
from dyne.ext.auth import BasicAuth, LoginManager, authenticate

SECRET = "a-test-secret-that-is-long-enough-to-sign-cookies"
SECRET_DATA = "the protected data"


@pytest.fixture
def app(tmp_path, monkeypatch) -> dyne.App:
    monkeypatch.chdir(tmp_path)
    return dyne.App(secret_key=SECRET)


def _basic() -> Any:
    backend = BasicAuth()
    backend.verify_password(lambda username, password: username if password == "pw" else None)
    return lambda: authenticate(backend)


def _login_required(app: dyne.App) -> Any:
    manager = LoginManager(app, login_url="/login")
    manager.user_loader(lambda user_id: None)
    return lambda: manager.login_required


def _guard_for(kind: str, app: dyne.App) -> Any:
    return _basic()() if kind == "authenticate" else _login_required(app)()


GUARDS = ["authenticate", "login_required"]

# What each guard answers a request without credentials: a challenge, or the login page
# (302 for a GET, 303 "see other" for a method the login page cannot take as it came).
REFUSAL = {
    ("authenticate", "GET"): 401,
    ("authenticate", "POST"): 401,
    ("authenticate", "OPTIONS"): 401,
    ("login_required", "GET"): 302,
    ("login_required", "POST"): 303,
    ("login_required", "OPTIONS"): 303,
}


def _class_view(app: dyne.App, guard: Any, effects: list[str]) -> None:
    @app.route("/secret", methods=["GET", "POST", "OPTIONS"])
    class Secret:
        @guard
        async def on_request(self, req, resp):
            resp.headers["X-Seen"] = "on_request"

        async def on_get(self, req, resp):
            resp.text = SECRET_DATA

        async def on_post(self, req, resp):
            effects.append("posted")
            resp.text = SECRET_DATA

        async def on_options(self, req, resp):
            resp.text = SECRET_DATA


@pytest.mark.parametrize("kind", GUARDS)
def test_guard_on_request_refusal_keeps_method_body_out(app, kind):
    _class_view(app, _guard_for(kind, app), [])
    response = app.client.get("/secret", follow_redirects=False)
    assert response.status_code == REFUSAL[kind, "GET"]
    assert SECRET_DATA not in response.text


@pytest.mark.parametrize("kind", GUARDS)
def test_guard_on_request_refusal_prevents_post_side_effect(app, kind):
    effects: list[str] = []
    _class_view(app, _guard_for(kind, app), effects)
    response = app.client.post("/secret", follow_redirects=False)
    assert response.status_code == REFUSAL[kind, "POST"]
    assert effects == []


@pytest.mark.parametrize("kind", GUARDS)
def test_guard_on_request_refusal_guards_registered_options(app, kind):
    _class_view(app, _guard_for(kind, app), [])
    response = app.client.options("/secret", follow_redirects=False)
    assert response.status_code == REFUSAL[kind, "OPTIONS"]
    assert SECRET_DATA not in response.text


def test_guard_on_request_admits_valid_credentials_to_the_method(app):
    _class_view(app, _basic()(), [])
    response = app.client.get("/secret", auth=("john", "pw"))
    assert response.text == SECRET_DATA
    assert response.headers["X-Seen"] == "on_request"


def test_guard_function_view_registering_options_is_guarded(app):
    ran: list[str] = []

    @app.route("/fn", methods=["GET", "OPTIONS"])
    @_basic()()
    async def view(req, resp):
        ran.append(req.method)
        resp.text = SECRET_DATA

    response = app.client.options("/fn")
    assert response.status_code == 401
    assert ran == []


def test_guard_login_required_options_on_function_view_is_guarded(app):
    ran: list[str] = []
    guard = _login_required(app)()

    @app.route("/fn", methods=["GET", "OPTIONS"])
    @guard
    async def view(req, resp):
        ran.append(req.method)

    response = app.client.options("/fn", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert ran == []


def test_guard_on_request_refusal_answered_with_200_still_ends_the_request(app):
    manager = LoginManager(app, login_url=None)
    manager.user_loader(lambda user_id: None)

    @manager.on_failure
    async def inline_login_page(req, resp, reason):
        resp.status_code = 200  # some apps show the login form in place
        resp.text = "please log in"

    effects: list[str] = []
    _class_view(app, manager.login_required, effects)
    assert app.client.get("/secret").text == "please log in"
    app.client.post("/secret")
    assert effects == []
