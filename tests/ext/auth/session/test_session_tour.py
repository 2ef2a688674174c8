"""The tour's "Session Authentication" samples, run as written.

The samples lean on a ``User`` model and a ``logger`` they never define; the stand-ins
below give them exactly the methods the samples call (``User.find``, ``User.authenticate``,
``user.update``, ``user.roles``). One sample needed adapting: the HTML failure page in
"Customizing Failure" is a string literal broken over several lines (a triple-quoted
string here), placed in the UNAUTHORIZED branch.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

import dyne

logger = logging.getLogger("tour.session")


@dataclass
class Role:
    name: str


@dataclass
class User:
    """The tour's model, in memory."""

    id: int
    username: str
    password: str
    roles: list[Role] = field(default_factory=list)
    last_login: datetime | None = None
    table: ClassVar[dict[int, User]] = {}

    @classmethod
    async def find(cls, id: int) -> User | None:
        return cls.table.get(id)

    @classmethod
    async def authenticate(cls, media: Any) -> User | None:
        # The tour passes req.media() un-awaited; the coroutine is awaited here.
        data = await media
        user = next((u for u in cls.table.values() if u.username == data["username"]), None)
        return user if user is not None and user.password == data["password"] else None

    async def update(self, **changes: Any) -> None:
        for name, value in changes.items():
            setattr(self, name, value)


@pytest.fixture
def people() -> dict[int, User]:
    User.table = {
        1: User(1, "ada", "pw-ada", [Role("editor")]),
        2: User(2, "root", "pw-root", [Role("admin"), Role("super_user")]),
    }
    return User.table


@pytest.fixture
def tour(tmp_path, monkeypatch, people):
    """The tour's session-auth app, every sample pasted in order."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "tour-secret-key-for-session-auth-tests")
    from dyne.ext.auth import LoginManager

    app = dyne.App()

    # -- Configuration
    auth = LoginManager(
        app,
        login_url="/login",
        remember_me_duration=2592000,  # Optional 30 days default
        user_id_attribute="id",  # Optional and defaults to `id`
    )

    # -- User Loading
    @auth.user_loader
    async def load_user(user_id: str):
        return await User.find(id=int(user_id))

    # -- Session Management
    @app.route("/login", methods=["POST"])
    async def login_route(req, resp):
        user = await User.authenticate(req.media())
        if user:
            await auth.login(req, resp, user, remember_me=True, redirect_url="/dashboard")
        ...

    @app.route("/logout")
    async def logout_route(req, resp):
        await auth.logout(req, resp)
        return resp.redirect("/")

    # -- Access Control
    @app.route("/profile")
    @auth.login_required
    async def profile(req, resp):
        return {"user": req.state.user.username}

    # -- Role-Based Authorization (RBAC)
    @auth.get_user_roles
    async def get_roles(user):
        return [r.name for r in user.roles]

    # Requires 'admin' OR 'editor'
    @app.route("/post/edit")
    @auth.login_required(role=["admin", "editor"])
    async def edit(req, resp):
        pass

    # Requires 'admin' AND 'super_user'
    @app.route("/system/reset")
    @auth.login_required(role=[["admin", "super_user"]])
    async def reset(req, resp):
        pass

    # -- Event Hooks
    @auth.on_login
    async def update_last_login(req, resp, user):
        await user.update(last_login=datetime.now())

    @auth.on_logout
    async def log_logout(req, resp, user):
        logger.info(f"User {user.id} logged out")

    client = app.client
    yield SimpleNamespace(app=app, auth=auth, client=client)
    client.close()


def _log_in(client, username, password):
    return client.post(
        "/login", json={"username": username, "password": password}, follow_redirects=False
    )


def test_tour_login_redirects_to_dashboard_with_remember_me(tour):
    client = tour.client
    resp = _log_in(client, "ada", "pw-ada")
    assert (resp.status_code, resp.headers["location"]) == (303, "/dashboard")
    assert "dyne-Remember" in client.cookies


def test_tour_profile_needs_login(tour):
    client = tour.client
    assert client.get("/profile", follow_redirects=False).headers["location"].startswith("/login")
    _log_in(client, "ada", "pw-ada")
    assert client.get("/profile").json() == {"user": "ada"}


def test_tour_wrong_password_logs_nobody_in(tour):
    client = tour.client
    assert _log_in(client, "ada", "wrong").status_code == 200
    assert client.get("/profile", headers={"Accept": "application/json"}).status_code == 401


def test_tour_roles_or_and_and(tour):
    client = tour.client
    _log_in(client, "ada", "pw-ada")  # editor
    assert client.get("/post/edit").status_code == 200
    assert client.get("/system/reset").status_code == 403
    _log_in(client, "root", "pw-root")  # admin and super_user
    assert client.get("/system/reset").status_code == 200


def test_tour_on_login_hook_updates_last_login(tour, people):
    client = tour.client
    _log_in(client, "ada", "pw-ada")
    assert isinstance(people[1].last_login, datetime)


def test_tour_logout_logs_and_redirects_home(tour, caplog):
    client = tour.client
    _log_in(client, "root", "pw-root")
    with caplog.at_level(logging.INFO, logger="tour.session"):
        resp = client.get("/logout", follow_redirects=False)
    assert resp.headers["location"] == "/"
    assert "User 2 logged out" in caplog.text
    assert client.get("/profile", follow_redirects=False).status_code == 302


def test_tour_remember_me_restores_session(tour):
    client = tour.client
    _log_in(client, "ada", "pw-ada")
    remember = client.cookies["dyne-Remember"]
    client.cookies.clear()
    client.cookies.set("dyne-Remember", remember)
    assert client.get("/profile").json() == {"user": "ada"}


def test_tour_custom_failure(tour):
    client = tour.client
    from dyne.ext.auth import AuthFailureReason

    @tour.auth.on_failure
    async def custom_auth_failure(req, resp, reason):
        if reason == AuthFailureReason.UNAUTHENTICATED:
            resp.status_code = HTTPStatus.UNAUTHORIZED
            resp.media = {"error": "Authentication required", "code": "AUTH_REQUIRED"}
        if reason == AuthFailureReason.UNAUTHORIZED:
            resp.status_code = HTTPStatus.FORBIDDEN
            resp.media = {
                "error": "Insufficient permissions",
                "required_roles": "admin",
            }
            resp.status_code = HTTPStatus.FORBIDDEN
            resp.text = """
            403 - Forbidden
            You do not have permission to view this page.
            """
        # Or fallback to default implementation
        # await auth.default_failure(req, resp, reason)

    resp = client.get("/profile")
    assert resp.status_code == 401
    assert resp.json() == {"error": "Authentication required", "code": "AUTH_REQUIRED"}
    _log_in(client, "ada", "pw-ada")
    resp = client.get("/system/reset")
    assert resp.status_code == 403
    assert "403 - Forbidden" in resp.text


def test_tour_state_user_is_none_when_anonymous(tour):
    client = tour.client

    @tour.app.route("/whoami")
    async def whoami(req, resp):
        resp.media = {"user": req.state.user}

    assert client.get("/whoami").json() == {"user": None}
