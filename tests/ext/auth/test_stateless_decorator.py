"""@authenticate: roles, optional, OPTIONS, class views, sync views and metadata."""

from __future__ import annotations

import pytest

from dyne._meta import meta_of
from dyne.ext.auth import BasicAuth, MultiAuth, TokenAuth, authenticate

ROLES = {"john": "user", "admin": ["user", "admin"], "ed": ["editor", "reviewer"], "e": "editor"}


@pytest.fixture
def basic():
    backend = BasicAuth()
    backend.verify_password(lambda username, password: username if password == "pw" else None)

    @backend.get_user_roles
    async def get_user_roles(user):
        return ROLES.get(user)

    return backend


def route(app, path, backend, **options):
    @app.route(path, methods=["GET", "POST", "OPTIONS"])
    @authenticate(backend, **options)
    async def view(req, resp):
        resp.text = str(req.state.user)

    return view


def test_authenticate_role_admits_a_matching_user(app, client, basic):
    route(app, "/", basic, role="admin")
    assert client.get("/", auth=("admin", "pw")).status_code == 200


def test_authenticate_role_mismatch_is_a_403_without_challenge(app, client, basic):
    route(app, "/", basic, role="admin")
    response = client.get("/", auth=("john", "pw"))
    assert response.status_code == 403
    assert response.text == "Forbidden"
    assert "www-authenticate" not in response.headers


def test_authenticate_role_alternatives(app, client, basic):
    route(app, "/", basic, role=["admin", "editor"])
    assert client.get("/", auth=("e", "pw")).status_code == 200
    assert client.get("/", auth=("john", "pw")).status_code == 403


def test_authenticate_role_nested_list_needs_all(app, client, basic):
    route(app, "/", basic, role=["admin", ["editor", "reviewer"]])
    assert client.get("/", auth=("ed", "pw")).status_code == 200
    assert client.get("/", auth=("e", "pw")).status_code == 403
    assert client.get("/", auth=("admin", "pw")).status_code == 200


def test_authenticate_role_without_roles_callback_is_a_logged_500(app, caplog):
    backend = BasicAuth()
    backend.verify_password(lambda username, password: username)
    route(app, "/", backend, role="admin")
    from dyne.testing import TestClient

    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level("ERROR"):
        response = client.get("/", auth=("admin", "pw"))
    assert response.status_code == 500
    assert "register @get_user_roles on the BasicAuth backend" in caplog.text


def test_authenticate_error_handler_receives_403(app, client, basic):
    statuses = []

    @basic.error_handler
    async def handler(req, resp, status_code=401):
        statuses.append(status_code)
        resp.status_code = status_code
        resp.media = {"status": status_code}

    route(app, "/", basic, role="admin")
    assert client.get("/", auth=("john", "pw")).json() == {"status": 403}
    assert statuses == [403]


def test_authenticate_invalid_role_fails_at_registration(basic):
    with pytest.raises(TypeError, match="Invalid role"):
        authenticate(basic, role=42)


def test_authenticate_rejects_something_that_is_not_a_backend():
    with pytest.raises(TypeError, match="authenticate\\(\\) takes"):
        authenticate(lambda req: None)


def test_authenticate_optional_lets_anonymous_through(app, client, basic):
    route(app, "/", basic, optional=True)
    assert client.get("/").text == "None"


def test_authenticate_optional_still_refuses_wrong_credentials(app, client, basic):
    route(app, "/", basic, optional=True)
    assert client.get("/", auth=("john", "bad")).status_code == 401
    assert client.get("/", headers={"Authorization": "Basic %%%"}).status_code == 401


def test_authenticate_optional_identifies_a_user(app, client, basic):
    route(app, "/", basic, optional=True)
    assert client.get("/", auth=("john", "pw")).text == "john"


def test_authenticate_options_is_guarded_like_any_method(app, client, basic):
    route(app, "/", basic)
    response = client.options("/")
    assert response.status_code == 401
    assert response.text == "Unauthorized"
    assert "www-authenticate" in response.headers


def test_authenticate_options_with_credentials_reaches_the_view(app, client, basic):
    route(app, "/", basic)
    assert client.options("/", auth=("john", "pw")).text == "john"


def test_authenticate_head_needs_credentials(app, client, basic):
    route(app, "/", basic)
    assert client.head("/").status_code == 401


def test_authenticate_class_view_method(app, client, basic):
    @app.route("/items")
    class Items:
        @authenticate(basic, role="admin")
        async def on_post(self, req, resp):
            resp.text = f"created by {req.state.user}"

        def on_get(self, req, resp):
            resp.text = "public"

    assert client.get("/items").text == "public"
    assert client.post("/items").status_code == 401
    assert client.post("/items", auth=("john", "pw")).status_code == 403
    assert client.post("/items", auth=("admin", "pw")).text == "created by admin"


def test_authenticate_sync_class_view_method(app, client, basic):
    @app.route("/items")
    class Items:
        @authenticate(basic)
        def on_get(self, req, resp):
            resp.text = f"hello {req.state.user}"

    assert client.get("/items", auth=("john", "pw")).text == "hello john"


def test_authenticate_refuses_a_class(basic):
    with pytest.raises(TypeError, match="on_get"):

        @authenticate(basic)
        class View:
            pass


def test_authenticate_sync_view_runs(app, client, basic):
    @app.route("/")
    @authenticate(basic)
    def view(req, resp):
        resp.text = f"sync {req.state.user}"

    assert client.get("/", auth=("john", "pw")).text == "sync john"


def test_authenticate_view_return_value_is_kept(app, client, basic):
    @app.route("/")
    @authenticate(basic)
    async def view(req, resp):
        return {"user": req.state.user}

    assert client.get("/", auth=("john", "pw")).json() == {"user": "john"}


def test_authenticate_leaves_security_metadata(basic):
    @authenticate(basic, role=["admin", ["editor", "reviewer"]], optional=True)
    async def view(req, resp):
        """Docs stay."""

    (requirement,) = meta_of(view)["security"]
    assert requirement.scheme_name == "basicAuth"
    assert requirement.scheme == {"type": "http", "scheme": "basic"}
    assert requirement.roles == ["admin", ["editor", "reviewer"]]
    assert requirement.optional is True
    assert view.__doc__ == "Docs stay."


def test_authenticate_multi_auth_leaves_one_requirement_per_backend(basic):
    @authenticate(MultiAuth(TokenAuth(), basic), role="admin")
    async def view(req, resp):
        pass

    names = [requirement.scheme_name for requirement in meta_of(view)["security"]]
    assert names == ["bearerAuth", "basicAuth"]


def test_authenticate_keeps_metadata_of_inner_decorators(basic):
    from dyne._meta import annotate

    async def view(req, resp):
        pass

    annotate(view, webhook="x")
    wrapped = authenticate(basic)(view)
    assert meta_of(wrapped)["webhook"] == "x"
    assert "security" not in meta_of(view)
