"""LoginManager: construction, login and logout, remember-me cookies, hooks."""

from __future__ import annotations

import time

import pytest
from itsdangerous import URLSafeTimedSerializer

import dyne
from dyne.ext.auth import LoginManager as ReExported
from dyne.ext.auth.session import CurrentUserHook, LoginManager, LoginMiddleware
from dyne.testing import TestClient


def _set_cookie_headers(resp) -> list[str]:
    return resp.headers.get_list("set-cookie")


def _cookie_line(resp, name: str) -> str:
    return next(line for line in _set_cookie_headers(resp) if line.startswith(f"{name}="))


# -- construction ----------------------------------------------------------------------


def test_login_manager_is_reexported_from_dyne_ext_auth():
    assert ReExported is LoginManager


def test_login_manager_without_secret_key_fails_at_construction(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="Missing required config: SECRET_KEY"):
        LoginManager(dyne.App())


def test_login_manager_reads_secret_key_from_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App()

    class Settings:
        SECRET_KEY = "a-secret-from-the-config-object"

    app.config.from_object(Settings)
    assert LoginManager(app).login_url == "/login"


def test_login_manager_reads_secret_key_from_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "a-secret-from-the-environment")
    LoginManager(dyne.App())  # does not raise


def test_login_manager_defaults_match_the_tour(app):
    auth = LoginManager(app)
    assert (auth.login_url, auth.remember_me_duration, auth.user_id_attribute) == (
        "/login",
        2592000,
        "id",
    )


@pytest.mark.parametrize("duration", [0, -5, "30", 1.5, True])
def test_login_manager_rejects_bad_remember_me_duration(app, duration):
    with pytest.raises(ValueError, match="remember_me_duration"):
        LoginManager(app, remember_me_duration=duration)


def test_login_manager_twice_on_one_app_is_refused(app):
    LoginManager(app)
    with pytest.raises(RuntimeError, match="already has a LoginManager"):
        LoginManager(app)


def test_login_manager_init_app_installs_later(app, users):
    auth = LoginManager()
    auth.init_app(app)
    auth.user_loader(lambda user_id: users.get(user_id))
    assert app.extensions["login_manager"] is auth

    @app.route("/who")
    async def who(req, resp):
        resp.media = {"anonymous": req.state.user is None}

    assert app.client.get("/who").json() == {"anonymous": True}


def test_current_user_hook_is_installed_as_a_before_request_hook(app):
    auth = LoginManager(app)
    hooks = list(app._before_request)
    assert any(isinstance(hook, CurrentUserHook) and hook.manager is auth for hook in hooks)


def test_login_middleware_is_the_deprecated_alias_of_current_user_hook():
    assert LoginMiddleware is CurrentUserHook


# -- login ---------------------------------------------------------------------------


def test_login_stores_the_user_in_the_session(client, log_in):
    assert log_in("2").text == "logged in"
    assert client.get("/me").json() == {"user": "bob"}


def test_anonymous_request_has_none_user(client):
    assert client.get("/me").json() == {"user": None}


def test_login_rotates_the_session(app, auth, client, log_in):
    @app.route("/plant")
    async def plant(req, resp):
        resp.session["planted"] = "by-attacker"

    @app.route("/session")
    async def session(req, resp):
        resp.media = {key: value for key, value in req.session.items() if key == "planted"}

    client.get("/plant")
    assert client.get("/session").json() == {"planted": "by-attacker"}
    log_in("1")
    assert client.get("/session").json() == {}
    assert client.get("/me").json() == {"user": "alice"}


def test_login_sets_state_user_for_the_rest_of_the_request(app, auth, users):
    @app.route("/quick", methods=["POST"])
    async def quick(req, resp):
        await auth.login(req, resp, users["3"])
        resp.media = {"user": req.state.user.username}

    assert app.client.post("/quick").json() == {"user": "root"}


def test_login_without_redirect_url_leaves_the_response_alone(log_in):
    resp = log_in("1")
    assert resp.status_code == 200
    assert "location" not in resp.headers


def test_login_with_redirect_url_redirects_with_303(log_in):
    resp = log_in("1", redirect="/dashboard")
    assert resp.status_code == 303
    assert resp.headers["location"] == "/dashboard"


def test_login_accepts_dict_users(app):
    auth = LoginManager(app)
    people = {"7": {"id": 7, "name": "dora"}}
    auth.user_loader(lambda user_id: people.get(user_id))

    @app.route("/in", methods=["POST"])
    async def log_in(req, resp):
        await auth.login(req, resp, people["7"])

    @app.route("/me")
    def me(req, resp):
        return {"name": req.state.user["name"]}

    app.client.post("/in")
    assert app.client.get("/me").json() == {"name": "dora"}


def test_login_uses_user_id_attribute(app):
    auth = LoginManager(app, user_id_attribute="email")
    seen = []

    @auth.user_loader
    def load(user_id):
        seen.append(user_id)
        return {"email": user_id}

    @app.route("/in", methods=["POST"])
    async def log_in(req, resp):
        await auth.login(req, resp, {"email": "eve@example.org"})

    app.client.post("/in")
    app.client.get("/")
    assert seen == ["eve@example.org"]


def test_login_user_without_id_is_a_clear_error(app):
    auth = LoginManager(app)

    @app.route("/in", methods=["POST"])
    async def log_in(req, resp):
        with pytest.raises(ValueError, match="has no 'id' attribute or key"):
            await auth.login(req, resp, object())
        resp.text = "checked"

    assert app.client.post("/in").text == "checked"


def test_login_runs_on_login_hooks_sync_and_async(app, auth, client, log_in):
    calls = []

    @auth.on_login
    async def first(req, resp, user):
        calls.append(("async", user.username))

    @auth.on_login
    def second(req, resp, user):
        calls.append(("sync", user.username))
        resp.headers["X-Welcome"] = user.username

    assert log_in("1").headers["x-welcome"] == "alice"
    assert calls == [("async", "alice"), ("sync", "alice")]


# -- logout --------------------------------------------------------------------------


def test_logout_clears_the_session(client, log_in):
    log_in("1")
    assert client.post("/logout").text == "logged out"
    assert client.get("/me").json() == {"user": None}


def test_logout_clears_state_user(app, auth, client, log_in):
    @app.route("/bye", methods=["POST"])
    async def bye(req, resp):
        before = req.state.user.username
        await auth.logout(req, resp)
        resp.media = {"before": before, "after": req.state.user}

    log_in("2")
    assert client.post("/bye").json() == {"before": "bob", "after": None}


def test_logout_runs_on_logout_hooks_with_the_user(auth, client, log_in):
    seen = []

    @auth.on_logout
    async def hook(req, resp, user):
        seen.append(user.username)

    log_in("2")
    client.post("/logout")
    assert seen == ["bob"]


def test_logout_when_anonymous_runs_no_hooks(auth, client):
    seen = []
    auth.on_logout(lambda req, resp, user: seen.append(user))
    assert client.post("/logout").status_code == 200
    assert seen == []


def test_logout_deletes_the_remember_me_cookie(client, log_in):
    log_in("1", remember="yes")
    resp = client.post("/logout")
    assert "Max-Age=0" in _cookie_line(resp, "dyne-Remember")
    client.cookies.clear()
    assert client.get("/me").json() == {"user": None}


# -- remember-me ---------------------------------------------------------------------


def test_remember_me_cookie_is_signed_httponly_lax_and_expires(client, log_in):
    line = _cookie_line(log_in("1", remember="yes"), "dyne-Remember")
    assert "HttpOnly" in line
    assert "SameSite=lax" in line
    assert "Max-Age=2592000" in line
    assert "Secure" not in line
    value = line.split(";", 1)[0].split("=", 1)[1]
    assert value != "1"  # the id travels signed, not bare


def test_remember_me_cookie_is_secure_on_https(app, auth):
    client = TestClient(app, base_url="https://testserver").start()
    resp = client.post("/login", data={"id": "1", "remember": "yes"})
    client.close()
    assert "Secure" in _cookie_line(resp, "dyne-Remember")


def test_remember_me_duration_sets_the_cookie_max_age(app, users):
    auth = LoginManager(app, remember_me_duration=60)

    @app.route("/in", methods=["POST"])
    async def log_in(req, resp):
        await auth.login(req, resp, users["1"], remember_me=True)

    assert "Max-Age=60" in _cookie_line(app.client.post("/in"), "dyne-Remember")


def test_login_without_remember_me_sets_no_remember_cookie(log_in):
    assert not any(line.startswith("dyne-Remember=") for line in _set_cookie_headers(log_in("1")))


def test_remember_me_cookie_restores_the_session(client, log_in, loads):
    log_in("2", remember="yes")
    remember = client.cookies["dyne-Remember"]
    client.cookies.clear()
    client.cookies.set("dyne-Remember", remember)
    resp = client.get("/me")
    assert resp.json() == {"user": "bob"}
    assert any(line.startswith("dyne-Session=") for line in _set_cookie_headers(resp))
    loads.clear()
    client.get("/me")
    assert loads == ["2"]  # later requests come from the restored session


def test_tampered_remember_me_cookie_is_ignored(client, log_in, loads):
    log_in("1", remember="yes")
    remember = client.cookies["dyne-Remember"]
    client.cookies.clear()
    client.cookies.set("dyne-Remember", "2" + remember[1:])
    loads.clear()
    resp = client.get("/me")
    assert resp.json() == {"user": None}
    assert loads == []
    assert "Max-Age=0" in _cookie_line(resp, "dyne-Remember")


def test_remember_me_cookie_signed_with_another_key_is_ignored(client, loads):
    forged = URLSafeTimedSerializer("not-our-key", salt="dyne.auth.remember-me").dumps("2")
    client.cookies.set("dyne-Remember", forged)
    assert client.get("/me").json() == {"user": None}
    assert loads == []


def test_expired_remember_me_cookie_is_ignored(app, users, loads, monkeypatch):
    auth = LoginManager(app, remember_me_duration=60)
    auth.user_loader(lambda user_id: loads.append(user_id) or users.get(user_id))
    signer = URLSafeTimedSerializer(app.secret_key, salt="dyne.auth.remember-me")
    # Issued two minutes ago by our own key: valid signature, past its 60-second life.
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 120)
    old = signer.dumps("1")
    monkeypatch.setattr(time, "time", real_time)

    @app.route("/me")
    async def me(req, resp):
        resp.media = {"anonymous": req.state.user is None}

    client = app.client
    client.cookies.set("dyne-Remember", old)
    assert client.get("/me").json() == {"anonymous": True}
    assert loads == []


def test_remember_me_cookie_for_a_deleted_user_is_anonymous(client, log_in, users):
    log_in("3", remember="yes")
    remember = client.cookies["dyne-Remember"]
    del users["3"]
    client.cookies.clear()
    client.cookies.set("dyne-Remember", remember)
    resp = client.get("/me")
    assert resp.json() == {"user": None}
    assert "Max-Age=0" in _cookie_line(resp, "dyne-Remember")


def test_login_without_remember_me_deletes_an_older_remember_cookie(client, log_in):
    log_in("1", remember="yes")
    resp = log_in("2")
    assert "Max-Age=0" in _cookie_line(resp, "dyne-Remember")


@pytest.mark.parametrize("value", ["garbage", "a.b.c", "IjEi.x.y", "é" * 10, "x" * 4000])
def test_malformed_remember_me_cookie_is_ignored(client, loads, value):
    cookie = f"dyne-Remember={value}".encode()  # raw bytes: non-ASCII reaches the app too
    assert client.get("/me", headers={"Cookie": cookie}).json() == {"user": None}
    assert loads == []


def test_a_user_loader_returning_false_ends_the_session(app, auth, users, client, log_in):
    @app.route("/private")
    @auth.login_required
    async def private(req, resp):
        resp.text = "inside"

    log_in("1")
    users["1"] = False  # the application's loader now says "no such user" with False
    response = client.get("/private", follow_redirects=False)
    assert response.status_code == 302
    assert client.get("/me").json() == {"user": None}
