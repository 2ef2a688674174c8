"""With App(problem_details=True), the auth backends' 401/403 are problem details."""

from __future__ import annotations

import pytest

import dyne
from dyne.ext.auth import BasicAuth, authenticate
from dyne.ext.auth.session import LoginManager

SECRET = "a-test-secret-that-is-long-enough-to-sign-cookies"


@pytest.fixture
def app(tmp_path, monkeypatch) -> dyne.App:
    monkeypatch.chdir(tmp_path)
    return dyne.App(problem_details=True, secret_key=SECRET)


@pytest.fixture
def basic(app):
    backend = BasicAuth()

    @backend.verify_password
    async def verify_password(username, password):
        return username if password == "password" else None

    @backend.get_user_roles
    async def roles(user):
        return ["user"]

    @app.route("/greet")
    @authenticate(backend)
    async def greet(req, resp):
        resp.text = "hello"

    @app.route("/admin")
    @authenticate(backend, role="admin")
    async def admin(req, resp):
        resp.text = "admin"

    return backend


def test_auth_basic_401_is_a_problem_with_its_challenge(app, basic):
    r = app.client.get("/greet")
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"].startswith("Basic ")
    assert r.json()["title"] == "Unauthorized"


def test_auth_basic_403_is_a_problem(app, basic):
    r = app.client.get("/admin", auth=("john", "password"))
    assert r.status_code == 403
    assert r.json()["status"] == 403
    assert "www-authenticate" not in r.headers


def test_auth_session_401_is_a_problem(app):
    manager = LoginManager(app, login_url=None)

    @manager.user_loader
    async def load_user(user_id):
        return None

    @app.route("/me")
    @manager.login_required
    async def me(req, resp):
        resp.text = "me"

    r = app.client.get("/me", headers={"accept": "application/json"})
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"].startswith("Authentication required")
