"""MultiAuth: several schemes on one route."""

from __future__ import annotations

import httpx2
import pytest

import dyne
from dyne.ext.auth import BasicAuth, DigestAuth, MultiAuth, TokenAuth, authenticate


@pytest.fixture
def backends(users):
    basic_auth = BasicAuth()
    basic_auth.verify_password(lambda u, p: u if users.get(u) == p else None)
    token_auth = TokenAuth()
    token_auth.verify_token(lambda token: "David" if token == "secret_key_123" else None)
    digest_auth = DigestAuth()
    digest_auth.get_password(users.get)
    return digest_auth, token_auth, basic_auth


@pytest.fixture
def multi(app, backends):
    multi_auth = MultiAuth(*backends)

    @app.route("/{greeting}")
    @authenticate(multi_auth)
    async def multi_greet(req, resp, *, greeting):
        resp.text = f"{greeting}, {req.state.user}!"

    return multi_auth


def test_multi_basic(multi, client):
    assert client.get("/Hi", auth=("john", "password")).text == "Hi, john!"


def test_multi_token(multi, client):
    response = client.get("/Hi", headers={"Authorization": "Bearer secret_key_123"})
    assert response.text == "Hi, David!"


def test_multi_digest(multi, client):
    assert client.get("/Hi", auth=httpx2.DigestAuth("john", "password")).text == "Hi, john!"


def test_multi_challenge_lists_every_backend(multi, client):
    challenge = client.get("/Hi").headers["www-authenticate"]
    assert challenge.startswith("Digest ")
    assert ", Bearer " in challenge
    assert ", Basic " in challenge


def test_multi_wrong_credentials_of_one_scheme_are_a_401(multi, client):
    assert client.get("/Hi", auth=("john", "nope")).status_code == 401
    assert client.get("/Hi", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_multi_unknown_scheme_is_a_401(multi, client):
    assert client.get("/Hi", headers={"Authorization": "Negotiate abc"}).status_code == 401


def test_multi_tries_each_backend_of_the_same_scheme(app, client):
    jwt = TokenAuth()
    jwt.verify_token(lambda token: None)
    api_keys = TokenAuth()
    api_keys.verify_token(lambda token: "svc" if token == "k1" else None)

    @app.route("/")
    @authenticate(MultiAuth(jwt, api_keys))
    async def home(req, resp):
        resp.text = req.state.user

    assert client.get("/", headers={"Authorization": "Bearer k1"}).text == "svc"


def test_multi_roles_come_from_the_backend_that_authenticated(app, client, backends):
    _, token_auth, basic_auth = backends
    basic_auth.get_user_roles(lambda user: "admin")
    token_auth.get_user_roles(lambda user: "user")

    @app.route("/admin")
    @authenticate(MultiAuth(token_auth, basic_auth), role="admin")
    async def admin(req, resp):
        resp.text = "ok"

    assert client.get("/admin", auth=("john", "password")).status_code == 200
    response = client.get("/admin", headers={"Authorization": "Bearer secret_key_123"})
    assert response.status_code == 403


def test_multi_own_roles_callback_wins(app, client, backends):
    _, token_auth, basic_auth = backends
    basic_auth.get_user_roles(lambda user: "admin")
    multi_auth = MultiAuth(token_auth, basic_auth)
    multi_auth.get_user_roles(lambda user: [])

    @app.route("/admin")
    @authenticate(multi_auth, role="admin")
    async def admin(req, resp):
        pass

    assert client.get("/admin", auth=("john", "password")).status_code == 403


def test_multi_error_handler_of_the_tried_backend_answers(app, client, backends):
    _, token_auth, basic_auth = backends

    @basic_auth.error_handler
    async def basic_error(req, resp, status_code):
        resp.status_code = status_code
        resp.text = "basic says no"

    @app.route("/")
    @authenticate(MultiAuth(token_auth, basic_auth))
    async def home(req, resp):
        pass

    assert client.get("/", auth=("john", "nope")).text == "basic says no"
    assert client.get("/", headers={"Authorization": "Bearer x"}).text == "Unauthorized"


def test_multi_nested_multi_auth(app, client, backends):
    digest_auth, token_auth, basic_auth = backends
    basic_auth.get_user_roles(lambda user: "admin")

    @app.route("/")
    @authenticate(MultiAuth(token_auth, MultiAuth(digest_auth, basic_auth)), role="admin")
    async def home(req, resp):
        resp.text = req.state.user

    assert client.get("/", auth=("john", "password")).text == "john"


def test_multi_describes_every_backend_for_openapi(backends):
    assert MultiAuth(*backends).security_schemes() == [
        ("digestAuth", {"type": "http", "scheme": "digest"}),
        ("bearerAuth", {"type": "http", "scheme": "bearer"}),
        ("basicAuth", {"type": "http", "scheme": "basic"}),
    ]


def test_multi_rejects_something_that_is_not_a_backend():
    with pytest.raises(TypeError, match="MultiAuth"):
        MultiAuth(BasicAuth(), "token")


def test_multi_digest_first_challenge_works_with_httpx_on_a_real_app(
    backends, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(secret_key="a-secret-key-for-multi-tests")

    @app.route("/")
    @authenticate(MultiAuth(*backends))
    async def home(req, resp):
        resp.text = req.state.user

    response = app.client.get("/", auth=httpx2.DigestAuth("admin", "password123"))
    app.client.close()
    assert response.text == "admin"
