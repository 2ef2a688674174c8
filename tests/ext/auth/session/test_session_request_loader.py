"""LoginManager.request_loader: a user found from the request itself (an API key, a
token) when no session names one, for the same ``login_required`` views."""

from __future__ import annotations

import pytest

from dyne.ext.auth import TokenAuth


@pytest.fixture
def tokens(auth, users):
    """A TokenAuth backend registered as the LoginManager's request loader."""
    backend = TokenAuth()

    @backend.verify_token
    def verify(token):
        return users["2"] if token == "bob-token" else None

    auth.request_loader(backend)
    return backend


@pytest.fixture
def guarded(app, auth, tokens):
    @app.route("/dashboard")
    @auth.login_required
    async def dashboard(req, resp):
        resp.media = {"user": req.state.user.username}

    @app.route("/admin")
    @auth.login_required(role="admin")
    async def admin(req, resp):
        resp.media = {"user": req.state.user.username}

    return dashboard


def test_callable_request_loader_finds_the_user(app, auth, users, client):
    @auth.request_loader
    def from_header(req):
        return users.get(req.headers.get("x-user", ""))

    @app.route("/dashboard")
    @auth.login_required
    async def dashboard(req, resp):
        resp.media = {"user": req.state.user.username}

    assert client.get("/dashboard", headers={"X-User": "1"}).json() == {"user": "alice"}


def test_backend_request_loader_admits_its_credentials(guarded, client):
    response = client.get("/dashboard", headers={"Authorization": "Bearer bob-token"})
    assert response.json() == {"user": "bob"}


def test_request_loader_user_is_not_logged_into_the_session(guarded, client):
    client.get("/dashboard", headers={"Authorization": "Bearer bob-token"})
    assert client.get("/me").json() == {"user": None}


def test_request_loader_user_is_checked_against_roles(guarded, client):
    assert client.get("/admin", headers={"Authorization": "Bearer bob-token"}).status_code == 200


def test_refused_backend_credentials_get_its_401_not_the_login_page(guarded, client):
    response = client.get(
        "/dashboard", headers={"Authorization": "Bearer wrong"}, follow_redirects=False
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_browser_without_credentials_still_goes_to_the_login_page(guarded, client):
    response = client.get("/dashboard", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"].startswith("/login?next=")


def test_session_user_comes_before_the_request_loader(guarded, client, log_in):
    log_in("1")
    response = client.get("/dashboard", headers={"Authorization": "Bearer bob-token"})
    assert response.json() == {"user": "alice"}


def test_request_loader_refuses_what_is_neither_callable_nor_backend(auth):
    with pytest.raises(TypeError, match="request_loader takes"):
        auth.request_loader("token")


def test_login_required_documents_the_backend_beside_the_session(app, guarded):
    pytest.importorskip("apispec")
    from dyne.ext.openapi import OpenAPI

    operation = OpenAPI(app).spec["paths"]["/dashboard"]["get"]
    assert operation["security"] == [{"sessionAuth": []}, {"bearerAuth": []}]


@pytest.mark.parametrize("falsy", [False, "", 0])
def test_callable_request_loader_returning_a_falsy_value_admits_no_one(app, auth, client, falsy):
    auth.request_loader(lambda req: falsy)

    @app.route("/dashboard")
    @auth.login_required
    async def dashboard(req, resp):
        resp.text = "inside"

    response = client.get("/dashboard", follow_redirects=False)
    assert response.status_code == 302
    assert response.text != "inside"


MALFORMED = ["Bearer", "Bearer " + "a" * 10_000]


@pytest.mark.parametrize("header", MALFORMED, ids=["no-credentials", "too-long"])
def test_malformed_credentials_leave_an_unguarded_route_anonymous(guarded, client, header):
    response = client.get("/me", headers={"Authorization": header})
    assert (response.status_code, response.json()) == (200, {"user": None})


@pytest.mark.parametrize("header", MALFORMED, ids=["no-credentials", "too-long"])
def test_malformed_credentials_get_the_backends_401_on_a_guarded_route(guarded, client, header):
    response = client.get("/dashboard", headers={"Authorization": header}, follow_redirects=False)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_backend_refusing_with_403_answers_403_not_401(app, auth, client):
    from dyne.ext.auth import AuthFailed

    backend = TokenAuth()

    @backend.verify_token
    def verify(token):
        raise AuthFailed(403)  # known, but barred

    auth.request_loader(backend)

    @app.route("/dashboard")
    @auth.login_required
    async def dashboard(req, resp):
        resp.text = "inside"

    response = client.get("/dashboard", headers={"Authorization": "Bearer barred"})
    assert response.status_code == 403
    assert "WWW-Authenticate" not in response.headers
