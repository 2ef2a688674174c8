"""BasicAuth through @authenticate and the test client."""

from __future__ import annotations

import base64
import logging

import pytest

from dyne.ext.auth import BasicAuth, authenticate


@pytest.fixture
def basic(app, users):
    backend = BasicAuth()

    @backend.verify_password
    async def verify_password(username, password):
        if users.get(username) == password:
            return username
        return None

    @app.route("/greet")
    @authenticate(backend)
    async def greet(req, resp):
        resp.text = f"Hello, {req.state.user}!"

    return backend


def _basic(raw: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def test_basic_right_password_reaches_the_view(basic, client):
    response = client.get("/greet", auth=("john", "password"))
    assert response.status_code == 200
    assert response.text == "Hello, john!"


def test_basic_missing_credentials_get_a_challenge(basic, client):
    response = client.get("/greet")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Basic realm="Authentication Required"')


def test_basic_wrong_password_and_unknown_user_answer_alike(basic, client):
    wrong_password = client.get("/greet", auth=("john", "nope"))
    unknown_user = client.get("/greet", auth=("nobody", "password"))
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.text == unknown_user.text
    assert wrong_password.headers == unknown_user.headers


def test_basic_scheme_is_case_insensitive(basic, client):
    token = base64.b64encode(b"john:password").decode()
    assert client.get("/greet", headers={"Authorization": f"bAsIc {token}"}).status_code == 200


def test_basic_password_may_contain_colons(app, client):
    backend = BasicAuth()
    seen = []

    @backend.verify_password
    def verify(username, password):
        seen.append((username, password))
        return username

    @app.route("/")
    @authenticate(backend)
    async def home(req, resp):
        resp.text = "ok"

    assert client.get("/", headers=_basic(b"ann:a:b:c")).status_code == 200
    assert seen == [("ann", "a:b:c")]


def test_basic_utf8_credentials_are_decoded(app, client):
    backend = BasicAuth()

    @backend.verify_password
    def verify(username, password):
        return username if password == "pässwörd" else None

    @app.route("/")
    @authenticate(backend)
    async def home(req, resp):
        resp.text = req.state.user

    response = client.get("/", headers=_basic("jürgen:pässwörd".encode()))
    assert response.text == "jürgen"


@pytest.mark.parametrize(
    "header",
    [
        "Basic",  # empty credentials
        "Basic ",
        "am9objpwYXNzd29yZA==",  # no scheme
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"john-password").decode(),  # no colon
        "Basic " + base64.b64encode(b"j\xffhn:password").decode(),  # not UTF-8
        "Basic " + "A" * 100_000,  # huge
    ],
    ids=["empty", "blank", "no-scheme", "bad-base64", "no-colon", "not-utf8", "huge"],
)
def test_basic_malformed_header_is_a_401(basic, client, header):
    response = client.get("/greet", headers={"Authorization": header})
    assert response.status_code == 401
    assert "www-authenticate" in response.headers


def test_basic_non_utf8_header_bytes_are_a_401(basic, client):
    response = client.get("/greet", headers=[(b"authorization", b"Basic \xff\xfe")])
    assert response.status_code == 401


def test_basic_sync_callback_is_accepted(app, client):
    backend = BasicAuth()

    @backend.verify_password
    def verify(username, password):
        return {"name": username} if password == "pw" else None

    @app.route("/")
    @authenticate(backend)
    def home(req, resp):
        resp.media = req.state.user

    assert client.get("/", auth=("ann", "pw")).json() == {"name": "ann"}


def test_basic_raising_callback_is_a_logged_500_not_a_bypass(app, caplog):
    backend = BasicAuth()
    reached = []

    @backend.verify_password
    async def verify(username, password):
        raise RuntimeError("database down")

    @app.route("/")
    @authenticate(backend)
    async def home(req, resp):
        reached.append(True)

    from dyne.testing import TestClient

    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
        response = client.get("/", auth=("ann", "pw"))
    assert response.status_code == 500
    assert reached == []
    assert "RuntimeError" in caplog.text


def test_basic_missing_callback_is_a_500(app):
    @app.route("/")
    @authenticate(BasicAuth())
    async def home(req, resp):
        resp.text = "reached"

    from dyne.testing import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/", auth=("ann", "pw"))
    assert response.status_code == 500
    assert response.text != "reached"


def test_basic_error_handler_shapes_the_401(basic, client):
    @basic.error_handler
    async def custom_error(req, resp, status_code):
        resp.status_code = 401
        resp.media = {"error": "Custom Authentication Failed"}

    response = client.get("/greet", auth=("john", "nope"))
    assert response.status_code == 401
    assert response.json() == {"error": "Custom Authentication Failed"}
    assert response.headers["www-authenticate"].startswith("Basic ")


def test_basic_error_handler_changing_the_status_drops_the_challenge(basic, client):
    @basic.error_handler
    def to_404(req, resp, status_code):
        resp.status_code = 404
        resp.text = "nothing here"

    response = client.get("/greet")
    assert response.status_code == 404
    assert "www-authenticate" not in response.headers


def test_basic_custom_realm_is_in_the_challenge(app, client):
    backend = BasicAuth(realm="Staff")
    backend.verify_password(lambda u, p: None)

    @app.route("/")
    @authenticate(backend)
    async def home(req, resp):
        pass

    assert 'realm="Staff"' in client.get("/").headers["www-authenticate"]


def test_basic_non_ascii_realm_is_refused_at_construction():
    with pytest.raises(ValueError, match="Invalid realm"):
        BasicAuth(realm="Zoë\n")


@pytest.mark.parametrize("falsy", ["", 0, [], {}])
def test_basic_a_falsy_user_from_the_callback_is_refused(app, client, falsy):
    backend = BasicAuth()
    backend.verify_password(lambda username, password: falsy)

    @app.route("/falsy")
    @authenticate(backend)
    async def view(req, resp):
        resp.text = "inside"

    response = client.get("/falsy", auth=("john", "password"))
    assert response.status_code == 401
    assert response.text != "inside"
