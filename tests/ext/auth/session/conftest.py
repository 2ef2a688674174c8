"""Fixtures for the session-auth tests: an app with a secret key, users and a LoginManager."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import dyne
from dyne.ext.auth.session import LoginManager

SECRET = "a-test-secret-that-is-long-enough-to-sign-cookies"


@dataclass
class User:
    """A user object, as an ORM would give one."""

    id: int
    username: str
    roles: list[str] = field(default_factory=list)


@pytest.fixture
def users() -> dict[str, User]:
    """Users by id (as the string the session stores)."""
    return {
        "1": User(1, "alice", ["user"]),
        "2": User(2, "bob", ["user", "admin"]),
        "3": User(3, "root", ["admin", "super_user"]),
    }


@pytest.fixture
def app(tmp_path, monkeypatch) -> dyne.App:
    """A fresh app with a secret key, in an empty working directory."""
    monkeypatch.chdir(tmp_path)
    return dyne.App(secret_key=SECRET)


@pytest.fixture
def loads() -> list[str]:
    """Every user id the user loader was asked for, in order."""
    return []


@pytest.fixture
def auth(app: dyne.App, users: dict[str, User], loads: list[str]) -> LoginManager:
    """A LoginManager with a user loader and role loader over ``users``, plus views:

    ``POST /login`` (form: ``id``, ``remember``, ``redirect``), ``/logout``, ``/me``.
    """
    manager = LoginManager(app, login_url="/login")

    @manager.user_loader
    async def load_user(user_id: str) -> Any:
        loads.append(user_id)
        return users.get(user_id)

    @manager.get_user_roles
    async def get_roles(user: User) -> list[str]:
        return user.roles

    @app.route("/login", methods=["GET", "POST"])
    async def login(req, resp):
        if req.method == "GET":
            resp.text = "login page"
            return
        form = await req.form()
        await manager.login(
            req,
            resp,
            users[form["id"]],
            remember_me=form.get("remember") == "yes",
            redirect_url=form.get("redirect"),
        )
        if resp.status_code == 200:
            resp.text = "logged in"

    @app.route("/logout", methods=["POST"])
    async def logout(req, resp):
        await manager.logout(req, resp)
        resp.text = "logged out"

    @app.route("/me")
    async def me(req, resp):
        user = req.state.user
        resp.media = {"user": user.username if user is not None else None}

    return manager


@pytest.fixture
def client(app: dyne.App, auth: LoginManager) -> Iterator[Any]:
    """``app.client`` (cookies kept between calls) for the app with ``auth`` installed."""
    client = app.client
    yield client
    client.close()


@pytest.fixture
def log_in(client: Any) -> Any:
    """``log_in(user_id="1", **form)``: POST the login form, return the unfollowed response."""

    def post(user_id: str = "1", **form: str) -> Any:
        return client.post("/login", data={"id": user_id, **form}, follow_redirects=False)

    return post
