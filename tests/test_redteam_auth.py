"""Red-team regressions for authentication and sessions: each test is an attack that
worked (a bypass, a fixation, a login with no password) before its fix."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest

import dyne
from dyne.ext.auth import (
    AuthBackend,
    BasicAuth,
    DigestAuth,
    LoginManager,
    MultiAuth,
    TokenAuth,
    authenticate,
)
from redis_support import REDIS_URL, prefix, redis  # noqa: F401  (fixtures, found by pytest)

SECRET = "a-red-team-secret-long-enough-to-sign"


@dataclass
class User:
    """A user as an ORM would give one."""

    id: str
    roles: list[str] = field(default_factory=list)


@pytest.fixture
def app(tmp_path, monkeypatch) -> dyne.App:
    monkeypatch.chdir(tmp_path)
    return dyne.App(secret_key=SECRET)


@pytest.fixture
def users() -> dict[str, User]:
    return {"1": User("1", ["user"]), "2": User("2", ["admin"])}


@pytest.fixture
def auth(app: dyne.App, users: dict[str, User]) -> LoginManager:
    """A LoginManager (401 for anonymous requests) with ``/login/{uid}`` and ``/me``."""
    manager = LoginManager(app, login_url=None)

    @manager.user_loader
    def load_user(user_id: str) -> Any:
        return users.get(user_id)

    @manager.get_user_roles
    def roles(user: User) -> list[str]:
        return user.roles

    @app.route("/login/{uid}")
    async def login(req, resp, *, uid):
        await manager.login(req, resp, users[uid], remember_me=req.params.get("remember") == "1")
        resp.text = "logged in"

    @app.route("/me")
    async def me(req, resp):
        user = req.state.user
        resp.media = {"user": user.id if user else None, "session": dict(req.session)}

    return manager


# -- stacked guards must all pass ---------------------------------------------------------


def test_authenticate_stacked_above_login_required_does_not_log_the_request_in(app, auth):
    # An app-level client key (public in a mobile app) identifies the client, not a user
    # logged into the session; login_required below it must still want a session.
    client_key = TokenAuth(scheme="ApiKey", header="X-Client-Key")

    @client_key.verify_token
    def verify(token: str) -> Any:
        return User("mobile-app", ["admin"]) if token == "public-mobile-key" else None

    @app.route("/admin")
    @authenticate(client_key)
    @auth.login_required(role="admin")
    async def admin(req, resp):
        resp.text = "admin area"

    client = app.client
    refused = client.get("/admin", headers={"X-Client-Key": "public-mobile-key"})
    assert (refused.status_code, refused.text) != (200, "admin area")
    assert refused.status_code == 401

    client.get("/login/2")  # an admin logs in: both guards pass
    admitted = client.get("/admin", headers={"X-Client-Key": "public-mobile-key"})
    assert (admitted.status_code, admitted.text) == (200, "admin area")


def test_login_required_checks_the_roles_of_the_session_user_not_the_stacked_one(app, auth):
    client_key = TokenAuth(scheme="ApiKey", header="X-Client-Key")

    @client_key.verify_token
    def verify(token: str) -> Any:
        return User("service", ["admin"]) if token == "k" else None

    @app.route("/admin")
    @authenticate(client_key)
    @auth.login_required(role="admin")
    async def admin(req, resp):
        resp.text = "admin area"

    client = app.client
    client.get("/login/1")  # a plain user, not an admin
    assert client.get("/admin", headers={"X-Client-Key": "k"}).status_code == 403


# -- session fixation through the remember-me cookie ------------------------------------


def test_remember_me_login_drops_session_data_planted_before_it(app, auth):
    # The attacker gets a signed anonymous session of their own (holding a value they
    # know, say a CSRF token) and plants it in the victim's browser; the victim's
    # remember-me cookie then logs them back in. Like login(), that must start afresh.
    @app.route("/plant")
    async def plant(req, resp):
        req.session["csrf"] = "known-to-the-attacker"
        resp.text = "planted"

    attacker = app.client
    planted = attacker.get("/plant").cookies["dyne-Session"]
    attacker.cookies.clear()
    remember = attacker.get("/login/1?remember=1").cookies["dyne-Remember"]
    attacker.cookies.clear()

    cookie = f"dyne-Session={planted}; dyne-Remember={remember}"
    restored = attacker.get("/me", headers={"Cookie": cookie}).json()
    assert restored["user"] == "1"
    assert "csrf" not in restored["session"]


def test_remember_me_login_on_redis_is_a_new_session_the_planted_cookie_cannot_end(
    tmp_path,
    monkeypatch,
    prefix,  # noqa: F811  (the fixture)
):
    # With server-side sessions the planted cookie names the attacker's session id; the
    # login the remember-me cookie makes must not continue that session, or the attacker
    # (holding its id) could end the victim's login.
    from dyne.ext.redis import RedisSessionStore

    monkeypatch.chdir(tmp_path)
    app = dyne.App(secret_key=SECRET, session_store=RedisSessionStore(REDIS_URL, prefix=prefix))
    manager = LoginManager(app, login_url=None)
    alice = User("1")

    @manager.user_loader
    def load_user(user_id: str) -> Any:
        return alice if user_id == "1" else None

    @app.route("/login")
    async def login(req, resp):
        await manager.login(req, resp, alice, remember_me=True)

    @app.route("/logout")
    async def logout(req, resp):
        await manager.logout(req, resp)

    @app.route("/visit")
    async def visit(req, resp):
        req.session["visits"] = 1

    @app.route("/me")
    @manager.login_required
    async def me(req, resp):
        resp.text = req.state.user.id

    client = app.client
    planted = client.get("/visit").cookies["dyne-Session"]
    client.cookies.clear()
    remember = client.get("/login").cookies["dyne-Remember"]
    client.cookies.clear()
    restored = client.get(
        "/me", headers={"Cookie": f"dyne-Session={planted}; dyne-Remember={remember}"}
    )
    session = restored.cookies["dyne-Session"]
    client.cookies.clear()
    client.get("/logout", headers={"Cookie": f"dyne-Session={planted}"})  # the attacker's copy
    client.cookies.clear()
    still = client.get("/me", headers={"Cookie": f"dyne-Session={session}"})
    assert (still.status_code, still.text) == (200, "1")


# -- Digest: an empty stored password is no password ------------------------------------


@pytest.mark.parametrize("stored", ["", b""])
def test_digest_empty_stored_password_is_refused(app, stored):
    # A user who signed up through another provider has no password: "" in the
    # database. Anyone answering the challenge with an empty password was let in.
    digest = DigestAuth()

    @digest.get_password
    def get_password(username: str) -> Any:
        return {"oauth-user": stored}.get(username)

    @app.route("/secret")
    @authenticate(digest)
    async def secret(req, resp):
        resp.text = f"in as {req.state.user}"

    response = app.client.get("/secret", auth=httpx2.DigestAuth("oauth-user", ""))
    assert response.status_code == 401


# -- one set of credentials per request -------------------------------------------------


def _guarded(app: dyne.App, backend: Any) -> None:
    @app.route("/private")
    @authenticate(backend)
    async def private(req, resp):
        resp.text = f"in as {req.state.user}"


GOOD_BASIC = "Basic " + base64.b64encode(b"john:pw").decode()


@pytest.mark.parametrize(
    "values", [[GOOD_BASIC, "Basic Zm9vOmJhcg=="], ["Basic Zm9vOmJhcg==", GOOD_BASIC]]
)
def test_two_authorization_headers_are_refused(app, values):
    # Authorization is a singleton field (RFC 9110 §11.6.2): with two, a proxy that checks
    # one and an app that reads the other disagree on who is calling. Neither is used.
    backend = BasicAuth()

    @backend.verify_password
    def verify(username: str, password: str) -> Any:
        return username if (username, password) == ("john", "pw") else None

    _guarded(app, backend)
    headers = [(b"authorization", value.encode()) for value in values]
    response = app.client.get("/private", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic ")


def test_two_api_key_headers_are_refused(app):
    backend = TokenAuth(scheme="ApiKey", header="X-API-Key")

    @backend.verify_token
    def verify(token: str) -> Any:
        return "client" if token == "good" else None

    _guarded(app, backend)
    headers = [(b"x-api-key", b"good"), (b"x-api-key", b"other")]
    assert app.client.get("/private", headers=headers).status_code == 401
    assert app.client.get("/private", headers={"X-API-Key": "good"}).status_code == 200


def test_two_authorization_headers_with_a_request_loader_are_a_401_not_a_login(app, auth):
    tokens = TokenAuth()

    @tokens.verify_token
    def verify(token: str) -> Any:
        return User("9", ["admin"]) if token == "good" else None

    auth.request_loader(tokens)

    @app.route("/admin")
    @auth.login_required(role="admin")
    async def admin(req, resp):
        resp.text = "admin area"

    headers = [(b"authorization", b"Bearer good"), (b"authorization", b"Bearer bad")]
    assert app.client.get("/admin", headers=headers).status_code == 401
    assert app.client.get("/me", headers=headers).status_code == 200  # unguarded: no 500


def test_logout_hooks_get_the_session_user_not_a_stacked_guards_user(app, auth, users):
    # An on_logout hook that ends the user's other sessions (bumping their version) must
    # be handed the user who is logging out, not the client an @authenticate above found.
    client_key = TokenAuth(scheme="ApiKey", header="X-Client-Key")

    @client_key.verify_token
    def verify(token: str) -> Any:
        return User("mobile-app") if token == "k" else None

    logged_out: list[str] = []

    @auth.on_logout
    def ended(req, resp, user: User) -> None:
        logged_out.append(user.id)

    @app.route("/api/logout")
    @authenticate(client_key)
    async def logout(req, resp):
        await auth.logout(req, resp)

    client = app.client
    client.get("/login/1")
    client.get("/api/logout", headers={"X-Client-Key": "k"})
    assert logged_out == ["1"]


# -- a backend of your own that answers None ---------------------------------------------


class KeyAuth(AuthBackend):
    """A custom backend with an easy mistake: ``dict.get`` answers None for a wrong key."""

    security_scheme_name = "keyAuth"
    security_scheme = {"type": "apiKey", "in": "header", "name": "X-Key"}

    def matches(self, req: Any) -> bool:
        return "x-key" in req.headers

    async def authenticate(self, req: Any) -> Any:
        return {"k3y": "robot", "off": False}.get(req.headers.get("x-key", ""))

    async def challenge(self, req: Any, *, stale: bool = False) -> str:
        return 'Key header="X-Key"'


@pytest.mark.parametrize("key", ["wrong", "off"])
@pytest.mark.parametrize("multi", [False, True])
def test_custom_backend_answering_a_falsy_user_is_a_refusal(app, key, multi):
    backend = MultiAuth(KeyAuth()) if multi else KeyAuth()
    ran: list[Any] = []

    @app.route("/robots")
    @authenticate(backend)
    async def robots(req, resp):
        ran.append(req.state.user)
        resp.text = "robots only"

    response = app.client.get("/robots", headers={"X-Key": key})
    assert (response.status_code, ran) == (401, [])
    assert app.client.get("/robots", headers={"X-Key": "k3y"}).text == "robots only"


# -- cookie flags ------------------------------------------------------------------------


def test_remember_me_cookie_is_deleted_with_the_secure_flag_it_was_set_with(app, auth):
    from dyne.testing import TestClient

    client = TestClient(app, base_url="https://testserver")
    set_cookies = client.get("/login/1?remember=1").headers.get_list("set-cookie")
    assert any(c.startswith("dyne-Remember=") and "Secure" in c for c in set_cookies)

    @app.route("/logout")
    async def logout(req, resp):
        await auth.logout(req, resp)

    deleted = client.get("/logout").headers.get_list("set-cookie")
    remember = [c for c in deleted if c.startswith("dyne-Remember=")]
    assert len(remember) == 1 and "Max-Age=0" in remember[0]
    assert "Secure" in remember[0] and "HttpOnly" in remember[0]


def test_function_request_loader_raising_auth_failed_is_no_user_not_a_500(app, auth):
    # A loader written like a backend raises AuthFailed for a bad key: that is a refusal
    # for login_required views, and no concern of the routes that need no login.
    from dyne.ext.auth import AuthFailed

    @auth.request_loader
    def from_key(req: Any) -> Any:
        key = req.headers.get("x-key")
        if key is not None and key != "good":
            raise AuthFailed()
        return User("robot") if key == "good" else None

    @app.route("/reports")
    @auth.login_required
    async def reports(req, resp):
        resp.text = "reports"

    client = app.client
    assert client.get("/me", headers={"X-Key": "bad"}).status_code == 200
    assert client.get("/reports", headers={"X-Key": "bad"}).status_code == 401
    assert client.get("/reports", headers={"X-Key": "good"}).text == "reports"


def test_a_revoked_session_also_deletes_the_remember_me_cookie_at_once(app, auth, users):
    # "Log out everywhere": the next request of a revoked browser is anonymous and loses
    # both cookies then, as documented, not one request later.
    versions = {"1": 1}

    @auth.user_version
    def version(user: User) -> int:
        return versions[user.id]

    client = app.client
    client.get("/login/1?remember=1")
    versions["1"] = 2
    response = client.get("/me")
    assert response.json()["user"] is None
    deleted = [c for c in response.headers.get_list("set-cookie") if "Max-Age=0" in c]
    assert any(c.startswith("dyne-Remember=") for c in deleted)
