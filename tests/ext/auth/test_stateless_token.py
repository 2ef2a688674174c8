"""TokenAuth: Bearer tokens, other schemes and API-key headers."""

from __future__ import annotations

import pytest

from dyne.ext.auth import TokenAuth, authenticate


@pytest.fixture
def token(app):
    backend = TokenAuth()

    @backend.verify_token
    async def verify_token(token):
        if token == "secret_key_123":
            return "David"
        return None

    @app.route("/dashboard")
    @authenticate(backend)
    async def secure_route(req, resp):
        resp.media = {"data": "Top Secret", "username": req.state.user}

    return backend


def test_token_bearer_reaches_the_view(token, client):
    response = client.get("/dashboard", headers={"Authorization": "Bearer secret_key_123"})
    assert response.json() == {"data": "Top Secret", "username": "David"}


def test_token_missing_gets_a_bearer_challenge(token, client):
    response = client.get("/dashboard")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="Authentication Required"'


def test_token_wrong_is_a_401(token, client):
    response = client.get("/dashboard", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_token_with_spaces_is_a_401_without_calling_back(app, client):
    backend = TokenAuth()
    seen = []

    @backend.verify_token
    def verify(token):
        seen.append(token)
        return "x"

    @app.route("/")
    @authenticate(backend)
    async def home(req, resp):
        pass

    response = client.get("/", headers={"Authorization": "Bearer secret key 123"})
    assert response.status_code == 401
    assert seen == []


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer   ", "secret_key_123", "Bearer " + "a" * 9000]
)
def test_token_malformed_header_is_a_401(token, client, header):
    assert client.get("/dashboard", headers={"Authorization": header}).status_code == 401


def test_token_non_utf8_bytes_are_a_401(token, client):
    response = client.get("/dashboard", headers=[(b"authorization", b"Bearer \xff\xfe")])
    assert response.status_code == 401


def test_token_custom_scheme(app, client):
    backend = TokenAuth(scheme="Token")
    backend.verify_token(lambda token: "ann" if token == "abc" else None)

    @app.route("/")
    @authenticate(backend)
    async def home(req, resp):
        resp.text = req.state.user

    assert client.get("/", headers={"Authorization": "Token abc"}).text == "ann"
    refused = client.get("/", headers={"Authorization": "Bearer abc"})
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Token ")


def test_token_api_key_header(app, client):
    backend = TokenAuth(scheme="ApiKey", header="X-API-Key")
    backend.verify_token(lambda token: "svc" if token == "k1" else None)

    @app.route("/")
    @authenticate(backend)
    async def home(req, resp):
        resp.text = req.state.user

    assert client.get("/", headers={"X-API-Key": "k1"}).text == "svc"
    assert client.get("/", headers={"X-API-Key": "k2"}).status_code == 401
    assert client.get("/", headers={"Authorization": "Bearer k1"}).status_code == 401


def test_token_describes_itself_for_openapi():
    assert TokenAuth().security_scheme == {"type": "http", "scheme": "bearer"}
    assert TokenAuth().security_scheme_name == "bearerAuth"
    api_key = TokenAuth(header="X-API-Key")
    assert api_key.security_scheme == {"type": "apiKey", "in": "header", "name": "X-API-Key"}


def test_token_scheme_with_spaces_is_refused():
    with pytest.raises(ValueError, match="Invalid token scheme"):
        TokenAuth(scheme="Bear er")


@pytest.mark.parametrize("falsy", ["", 0, [], {}])
def test_token_a_falsy_user_from_the_callback_is_refused(app, client, falsy):
    backend = TokenAuth()
    backend.verify_token(lambda token: falsy)

    @app.route("/falsy")
    @authenticate(backend)
    async def view(req, resp):
        resp.text = "inside"

    response = client.get("/falsy", headers={"Authorization": "Bearer anything"})
    assert response.status_code == 401
    assert response.text != "inside"
