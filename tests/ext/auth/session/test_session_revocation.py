"""Revoking sessions without shared storage: ``@auth.user_version`` fingerprints, key
length checks, and the remember-me cookie's flags."""

from __future__ import annotations

import json
from typing import Any

import pytest

import dyne
from dyne.ext.auth.session import LoginManager
from dyne.sessions import codec_for


class Account:
    """A user whose ``version`` changes on a password change or "log out everywhere"."""

    def __init__(self, user_id: int, name: str, password_hash: str) -> None:
        self.id = user_id
        self.username = name
        self.password_hash = password_hash
        self.version = 1


@pytest.fixture
def accounts() -> dict[str, Account]:
    return {"1": Account(1, "alice", "pbkdf2$alice-hash"), "2": Account(2, "bob", "pbkdf2$b")}


@pytest.fixture
def versioned(app: dyne.App, accounts: dict[str, Account]) -> LoginManager:
    manager = LoginManager(app, login_url=None)
    manager.user_loader(accounts.get)

    @manager.user_version
    async def version(user: Account) -> Any:
        return f"{user.version}:{user.password_hash}"

    @app.route("/login", methods=["POST"])
    async def login(req, resp):
        form = await req.form()
        await manager.login(req, resp, accounts[form["id"]], remember_me=True)

    @app.route("/logout", methods=["POST"])
    async def logout(req, resp):
        await manager.logout(req, resp)

    @app.route("/me")
    async def me(req, resp):
        user = req.state.user
        resp.media = {"user": user.username if user is not None else None}

    return manager


def _me(app: dyne.App, **cookies: str) -> Any:
    client = app.client
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies.set(name, value)
    return client.get("/me")


def _captured(app: dyne.App, user_id: str = "1") -> tuple[str, str]:
    response = app.client.post("/login", data={"id": user_id})
    return response.cookies["dyne-Session"], response.cookies["dyne-Remember"]


def test_user_version_unchanged_keeps_the_user_logged_in(app, versioned):
    session, remember = _captured(app)
    assert _me(app, **{"dyne-Session": session}).json() == {"user": "alice"}
    assert _me(app, **{"dyne-Remember": remember}).json() == {"user": "alice"}


def test_user_version_bump_refuses_a_session_cookie_captured_before(app, versioned, accounts):
    session, _ = _captured(app)
    accounts["1"].version += 1  # "log out everywhere"
    assert _me(app, **{"dyne-Session": session}).json() == {"user": None}


def test_user_version_password_change_refuses_a_remember_cookie_captured_before(
    app, versioned, accounts
):
    _, remember = _captured(app)
    accounts["1"].password_hash = "pbkdf2$new-hash"
    response = _me(app, **{"dyne-Remember": remember})
    assert response.json() == {"user": None}
    assert "Max-Age=0" in response.headers["set-cookie"]


def test_user_version_refuses_a_session_from_before_versioning(app, accounts):
    plain = LoginManager(app, login_url=None)
    plain.user_loader(accounts.get)

    @app.route("/in", methods=["POST"])
    async def log_in(req, resp):
        await plain.login(req, resp, accounts["1"], remember_me=True)

    @app.route("/me")
    async def me(req, resp):
        resp.media = {"user": req.state.user.username if req.state.user else None}

    response = app.client.post("/in")
    session, remember = response.cookies["dyne-Session"], response.cookies["dyne-Remember"]
    plain.user_version(lambda user: user.version)
    assert _me(app, **{"dyne-Session": session}).json() == {"user": None}
    assert _me(app, **{"dyne-Remember": remember}).json() == {"user": None}


def test_user_version_fresh_login_after_bump_works(app, versioned, accounts):
    _captured(app)
    accounts["1"].version += 1
    session, _ = _captured(app)
    assert _me(app, **{"dyne-Session": session}).json() == {"user": "alice"}


def test_user_version_is_stored_as_a_fingerprint_not_the_value(app, versioned):
    session, _ = _captured(app)
    data = codec_for(app).loads(session)
    assert "pbkdf2" not in json.dumps(data)
    assert len(data["_auth_user_version"]) == 32


def test_user_version_fingerprint_differs_between_users_with_one_value(app, versioned, accounts):
    accounts["2"].password_hash = accounts["1"].password_hash
    first = codec_for(app).loads(_captured(app, "1")[0])["_auth_user_version"]
    second = codec_for(app).loads(_captured(app, "2")[0])["_auth_user_version"]
    assert first != second


def test_logout_clears_session_and_remember_cookie(app, versioned):
    app.client.post("/login", data={"id": "1"})
    response = app.client.post("/logout")
    lines = response.headers.get_list("set-cookie")
    assert any(line.startswith("dyne-Session=") and "Max-Age=0" in line for line in lines)
    assert any(line.startswith("dyne-Remember=") and "Max-Age=0" in line for line in lines)
    assert app.client.get("/me").json() == {"user": None}


# -- keys and flags ----------------------------------------------------------------------


def test_login_manager_short_secret_key_from_config_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = dyne.App()

    class Settings:
        SECRET_KEY = "too-short"

    app.config.from_object(Settings)
    with pytest.raises(ValueError, match="SECRET_KEY is 9 bytes long"):
        LoginManager(app)


def test_login_manager_short_secret_key_set_on_app_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = dyne.App()
    app.secret_key = "short"
    with pytest.raises(ValueError, match="16 bytes"):
        LoginManager(app)


def test_remember_me_cookie_is_secure_with_session_https_only(tmp_path, monkeypatch, accounts):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(secret_key="a-test-secret-that-is-long-enough", session_https_only=True)
    manager = LoginManager(app)
    manager.user_loader(accounts.get)

    @app.route("/in", methods=["POST"])
    async def log_in(req, resp):
        await manager.login(req, resp, accounts["1"], remember_me=True)

    lines = app.client.post("/in").headers.get_list("set-cookie")
    remember = next(line for line in lines if line.startswith("dyne-Remember="))
    session = next(line for line in lines if line.startswith("dyne-Session="))
    assert "Secure" in remember
    assert "Secure" in session
    assert "HttpOnly" in remember and "HttpOnly" in session
    assert "SameSite=lax" in remember and "SameSite=lax" in session
