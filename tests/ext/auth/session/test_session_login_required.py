"""login_required: redirects, 401/403, roles, class views, on_failure, OpenAPI metadata."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest

from dyne._meta import meta_of
from dyne.ext.auth import AuthFailureReason
from dyne.ext.auth._security import SecurityRequirement
from dyne.ext.auth.session import LoginManager


@pytest.fixture
def guarded(app, auth):
    """Routes guarded in each supported way."""

    @app.route("/profile", methods=["GET", "POST"])
    @auth.login_required
    async def profile(req, resp):
        return {"user": req.state.user.username}

    @app.route("/sync")
    @auth.login_required
    def sync_view(req, resp):
        resp.text = f"sync {req.state.user.username}"

    @app.route("/items/{item_id:int}")
    @auth.login_required()
    async def item(req, resp, *, item_id):
        resp.media = {"item": item_id}

    @app.route("/post/edit")
    @auth.login_required(role=["admin", "editor"])
    async def edit(req, resp):
        resp.text = "editing"

    @app.route("/system/reset")
    @auth.login_required(role=[["admin", "super_user"]])
    async def reset(req, resp):
        resp.text = "reset"

    @app.route("/view")
    class View:
        @auth.login_required
        async def on_get(self, req, resp):
            resp.text = f"class {req.state.user.username}"

        @auth.login_required(role="admin")
        def on_post(self, req, resp):
            resp.text = "class admin"

    return app


# -- anonymous ---------------------------------------------------------------------------


def test_login_required_redirects_anonymous_get_to_login_url(guarded, client):
    resp = client.get("/profile", follow_redirects=False)
    assert resp.status_code == 302
    assert resp.headers["location"] == "/login?next=%2Fprofile"


def test_login_required_redirects_anonymous_post_with_303(guarded, client):
    resp = client.post("/profile", follow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["location"].startswith("/login?next=")


def test_login_required_next_keeps_the_query_string(guarded, client):
    resp = client.get("/items/5?tab=a b&x=1", follow_redirects=False)
    location = urlsplit(resp.headers["location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == ["/items/5?tab=a%20b&x=1"]


def test_login_required_next_round_trips_through_login(guarded, client):
    location = client.get("/items/5?x=1", follow_redirects=False).headers["location"]
    next_url = parse_qs(urlsplit(location).query)["next"][0]
    resp = client.post(
        "/login",
        params={"next": next_url},
        data={"id": "1", "redirect": "/"},
        follow_redirects=True,
    )
    assert resp.json() == {"item": 5}


def test_login_required_answers_401_to_json_clients(guarded, client):
    resp = client.get("/profile", headers={"Accept": "application/json"})
    assert resp.status_code == 401
    assert "error" in resp.json()


def test_login_required_browser_accept_still_redirects(guarded, client):
    accept = "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8"
    resp = client.get("/profile", headers={"Accept": accept}, follow_redirects=False)
    assert resp.status_code == 302


def test_login_required_without_login_url_answers_401(app, users):
    auth = LoginManager(app, login_url=None)
    auth.user_loader(users.get)

    @app.route("/private")
    @auth.login_required
    async def private(req, resp):
        resp.text = "private"

    resp = app.client.get("/private", follow_redirects=False)
    assert resp.status_code == 401
    assert "location" not in resp.headers


def test_login_required_does_not_run_the_view_for_anonymous(app, auth, client):
    ran = []

    @app.route("/effect", methods=["POST"])
    @auth.login_required
    async def effect(req, resp):
        ran.append(True)

    client.post("/effect", follow_redirects=False)
    assert ran == []


# -- logged in -----------------------------------------------------------------------------


def test_login_required_lets_a_logged_in_user_through(guarded, client, log_in):
    log_in("1")
    assert client.get("/profile").json() == {"user": "alice"}


def test_login_required_passes_path_params(guarded, client, log_in):
    log_in("1")
    assert client.get("/items/42").json() == {"item": 42}


def test_login_required_works_on_sync_views(guarded, client, log_in):
    log_in("1")
    assert client.get("/sync").text == "sync alice"


def test_login_required_works_on_class_view_methods(guarded, client, log_in):
    assert client.get("/view", follow_redirects=False).status_code == 302
    log_in("1")
    assert client.get("/view").text == "class alice"
    assert client.post("/view").status_code == 403


def test_login_required_role_on_sync_class_method_admits_admin(guarded, client, log_in):
    log_in("2")
    assert client.post("/view").text == "class admin"


# -- roles -----------------------------------------------------------------------------------


def test_login_required_role_list_is_any_of(guarded, client, log_in):
    log_in("2")  # bob: user, admin
    assert client.get("/post/edit").text == "editing"


def test_login_required_wrong_role_is_403(guarded, client, log_in):
    log_in("1")  # alice: user
    assert client.get("/post/edit").status_code == 403


def test_login_required_nested_role_list_is_all_of(guarded, client, log_in):
    log_in("2")  # admin without super_user
    assert client.get("/system/reset").status_code == 403
    log_in("3")  # admin and super_user
    assert client.get("/system/reset").text == "reset"


def test_login_required_403_is_json_for_json_clients(guarded, client, log_in):
    log_in("1")
    resp = client.get("/post/edit", headers={"Accept": "application/json"})
    assert resp.status_code == 403
    assert "error" in resp.json()


def test_login_required_accepts_sync_role_loader_returning_a_string(app, users):
    auth = LoginManager(app)
    auth.user_loader(users.get)
    auth.get_user_roles(lambda user: "admin" if user.username == "bob" else None)

    @app.route("/in/{user_id}", methods=["POST"])
    async def log_in(req, resp, *, user_id):
        await auth.login(req, resp, users[user_id])

    @app.route("/admin")
    @auth.login_required(role="admin")
    def admin(req, resp):
        resp.text = "admin"

    app.client.post("/in/1")
    assert app.client.get("/admin").status_code == 403
    app.client.post("/in/2")
    assert app.client.get("/admin").text == "admin"


def test_login_required_role_without_role_loader_is_a_500(app, users):
    auth = LoginManager(app)
    auth.user_loader(users.get)

    @app.route("/in", methods=["POST"])
    async def log_in(req, resp):
        await auth.login(req, resp, users["2"])

    @app.route("/admin")
    @auth.login_required(role="admin")
    async def admin(req, resp):
        resp.text = "admin"

    app.client.post("/in")
    assert app.client.get("/admin").status_code == 500


@pytest.mark.parametrize("role", [[], [[]], [1], {"admin"}, ""])
def test_login_required_invalid_role_fails_at_decoration(auth, role):
    with pytest.raises((TypeError, ValueError)):
        auth.login_required(role=role)


def test_login_required_on_a_class_is_a_clear_error(auth):
    with pytest.raises(TypeError, match="on_<method> methods"):

        @auth.login_required
        class View:
            pass


def test_login_required_with_positional_role_is_a_clear_error(auth):
    with pytest.raises(TypeError, match="role="):
        auth.login_required("admin")


def test_login_required_without_manager_installed_is_a_500(app, users):
    auth = LoginManager()  # never installed on app

    @app.route("/x")
    @auth.login_required
    async def x(req, resp):
        resp.text = "x"

    assert app.client.get("/x").status_code == 500


# -- on_failure --------------------------------------------------------------------------------


def test_on_failure_replaces_the_default(guarded, auth, client, log_in):
    reasons = []

    @auth.on_failure
    async def custom(req, resp, reason):
        reasons.append(reason)
        resp.status_code = HTTPStatus.IM_A_TEAPOT
        resp.media = {"reason": str(reason)}

    assert client.get("/profile", follow_redirects=False).json() == {"reason": "unauthenticated"}
    log_in("1")
    resp = client.get("/post/edit")
    assert (resp.status_code, resp.json()) == (418, {"reason": "unauthorized"})
    assert reasons == [AuthFailureReason.UNAUTHENTICATED, AuthFailureReason.UNAUTHORIZED]


def test_on_failure_may_fall_back_to_default_failure(guarded, auth, client, log_in):
    @auth.on_failure
    async def custom(req, resp, reason):
        if reason == AuthFailureReason.UNAUTHORIZED:
            resp.status_code = 404
            resp.text = "hidden"
            return
        await auth.default_failure(req, resp, reason)

    assert client.get("/profile", follow_redirects=False).status_code == 302
    log_in("1")
    assert client.get("/post/edit").text == "hidden"


def test_on_failure_accepts_a_sync_handler(guarded, auth, client):
    def custom(req, resp, reason):
        resp.status_code = 401
        resp.text = "sync says no"

    auth.on_failure(custom)
    assert client.get("/profile").text == "sync says no"


def test_auth_failure_reason_has_the_two_reasons():
    assert {reason.name for reason in AuthFailureReason} == {"UNAUTHENTICATED", "UNAUTHORIZED"}


# -- metadata for OpenAPI ---------------------------------------------------------------------


def test_login_required_leaves_a_cookie_security_requirement(auth):
    @auth.login_required(role=["admin", "editor"])
    async def view(req, resp):
        pass

    assert meta_of(view)["security"] == [
        SecurityRequirement(
            "sessionAuth",
            {"type": "apiKey", "in": "cookie", "name": "dyne-Session"},
            roles=["admin", "editor"],
        )
    ]


def test_login_required_metadata_has_no_roles_when_none_required(auth):
    view = auth.login_required(lambda req, resp: None)
    assert meta_of(view)["security"][0].roles is None


def test_login_required_keeps_earlier_metadata(auth):
    from dyne._meta import annotate

    async def view(req, resp):
        pass

    annotate(view, expect={401: None})
    assert meta_of(auth.login_required(view))["expect"] == {401: None}


def test_login_manager_describes_its_security_scheme(auth):
    assert auth.security_scheme_name == "sessionAuth"
    assert auth.security_scheme == {"type": "apiKey", "in": "cookie", "name": "dyne-Session"}
