"""A blueprint's guards protect every route in it exactly as if written on each view:
refusals end the request (the view never runs), OPTIONS is no way around them, and the
views themselves stay unguarded wherever they are used without the blueprint."""

from __future__ import annotations

from typing import Any

import pytest

import dyne
from dyne import Blueprint
from dyne.ext.auth import LoginManager, TokenAuth, authenticate
from dyne.routing import RouteError

SECRET = "a-test-secret-that-is-long-enough-to-sign-cookies"
TOKENS = {"admin-token": "ada", "user-token": "bob"}
ROLES = {"ada": ["admin"], "bob": ["user"]}


@pytest.fixture
def app(tmp_path, monkeypatch) -> dyne.App:
    monkeypatch.chdir(tmp_path)
    return dyne.App(secret_key=SECRET)


@pytest.fixture
def tokens() -> TokenAuth:
    backend = TokenAuth()
    backend.verify_token(TOKENS.get)
    backend.get_user_roles(ROLES.get)
    return backend


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def ran() -> list[str]:
    return []


@pytest.fixture
def admin(tokens, ran) -> Blueprint:
    """An admin area: one guard on the blueprint, no guard on any view."""
    bp = Blueprint("admin", prefix="/admin", guards=[authenticate(tokens, role="admin")])

    @bp.route("/dashboard")
    async def dashboard(req, resp):
        ran.append("dashboard")
        resp.media = {"user": req.state.user}

    @bp.route("/reset", methods=["POST"])
    def reset(req, resp):
        ran.append("reset")
        resp.text = "reset done"

    @bp.route("/settings", methods=["GET", "POST"])
    class Settings:
        async def on_request(self, req, resp):
            ran.append("on_request")

        async def on_get(self, req, resp):
            ran.append("on_get")
            resp.text = "the settings"

        async def on_post(self, req, resp):
            ran.append("on_post")

    @bp.route("/report")
    class Report:
        def on_get(self, req, resp):
            ran.append("report")
            resp.text = "the report"

    return bp


def test_blueprint_guard_refuses_anonymous_with_401(app, admin, ran):
    app.include(admin)
    answer = app.client.get("/admin/dashboard")
    assert answer.status_code == 401
    assert "ada" not in answer.text
    assert ran == []


def test_blueprint_guard_refuses_wrong_role_with_403(app, admin, ran):
    app.include(admin)
    assert app.client.get("/admin/dashboard", headers=_as("user-token")).status_code == 403
    assert ran == []


def test_blueprint_guard_admits_the_right_user(app, admin, ran):
    app.include(admin)
    answer = app.client.get("/admin/dashboard", headers=_as("admin-token"))
    assert answer.json() == {"user": "ada"}
    assert ran == ["dashboard"]


def test_blueprint_guard_stops_a_sync_posts_side_effects(app, admin, ran):
    app.include(admin)
    assert app.client.post("/admin/reset").status_code == 401
    assert ran == []


def test_blueprint_guard_stops_class_view_on_request_and_method(app, admin, ran):
    app.include(admin)
    answer = app.client.post("/admin/settings")
    assert answer.status_code == 401
    assert ran == []


def test_blueprint_guard_admits_class_view_once(app, admin, ran):
    app.include(admin)
    answer = app.client.get("/admin/settings", headers=_as("admin-token"))
    assert answer.text == "the settings"
    assert ran == ["on_request", "on_get"]


def test_blueprint_guard_protects_class_view_methods_without_on_request(app, admin, ran):
    app.include(admin)
    assert app.client.get("/admin/report").status_code == 401
    assert app.client.get("/admin/report", headers=_as("admin-token")).text == "the report"
    assert ran == ["report"]


def test_blueprint_guard_options_never_runs_a_view(app, admin, ran):
    app.include(admin)
    for path in ("/admin/dashboard", "/admin/settings", "/admin/report"):
        answer = app.client.options(path)
        assert answer.status_code == 200
        assert "GET" in answer.headers["allow"]
        assert answer.text == ""
    assert ran == []


def test_blueprint_guard_covers_a_view_that_answers_options_itself(app, tokens, ran):
    bp = Blueprint("api", guards=[authenticate(tokens)])

    @bp.route("/x", methods=["GET", "OPTIONS"])
    async def x(req, resp):
        ran.append(req.method)

    app.include(bp)
    assert app.client.options("/x").status_code == 401
    assert ran == []


def test_blueprint_guard_of_the_parent_protects_nested_routes(app, tokens, ran):
    parent = Blueprint("parent", prefix="/p", guards=[authenticate(tokens, role="admin")])
    child = Blueprint("child", prefix="/c")

    @child.route("/")
    async def inner(req, resp):
        ran.append("inner")

    parent.include(child)
    app.include(parent)
    assert app.client.get("/p/c/").status_code == 401
    assert app.client.get("/p/c/", headers=_as("user-token")).status_code == 403
    assert ran == []


def test_blueprint_guard_and_view_guard_both_apply(app, tokens, ran):
    other = TokenAuth(scheme="Other")
    other.verify_token(lambda token: "x" if token == "other" else None)
    bp = Blueprint("both", guards=[authenticate(tokens)])

    @bp.route("/x")
    @authenticate(other)
    async def x(req, resp):
        ran.append("x")

    app.include(bp)
    assert app.client.get("/x", headers=_as("admin-token")).status_code == 401
    assert ran == []


def test_blueprint_guard_leaves_the_view_itself_unguarded(app, tokens):
    bp = Blueprint("area", prefix="/area", guards=[authenticate(tokens)])

    async def hello(req, resp):
        resp.text = "hello"

    bp.add_route("/hello", hello)
    app.include(bp)
    app.add_route("/public/hello", hello)
    assert app.client.get("/area/hello").status_code == 401
    assert app.client.get("/public/hello").text == "hello"


def test_blueprint_guarded_included_in_two_apps_guards_both(tmp_path, monkeypatch, admin, ran):
    monkeypatch.chdir(tmp_path)
    first, second = dyne.App(), dyne.App()
    first.include(admin)
    second.include(admin, prefix="/b")
    try:
        assert first.client.get("/admin/dashboard").status_code == 401
        assert second.client.get("/b/admin/dashboard").status_code == 401
        ok = second.client.get("/b/admin/dashboard", headers=_as("admin-token"))
        assert ok.json() == {"user": "ada"}
    finally:
        first.client.close()
        second.client.close()


def test_blueprint_url_for_the_guarded_view_as_written(app, admin):
    app.include(admin)
    dashboard = admin._records[0].endpoint
    assert app.url_for(dashboard) == "/admin/dashboard"


def test_blueprint_guard_above_bp_route_raises(tokens):
    bp = Blueprint("wrong")
    with pytest.raises(TypeError, match=r"above @app\.route"):

        @authenticate(tokens)
        @bp.route("/x")
        async def x(req, resp):
            pass


def test_blueprint_guarded_websocket_route_raises_at_include(app, tokens):
    bp = Blueprint("live", guards=[authenticate(tokens)])

    @bp.route("/ws", websocket=True)
    async def ws_view(ws):
        await ws.accept()

    with pytest.raises(RouteError, match="cannot protect the WebSocket route '/ws'"):
        app.include(bp)


def test_blueprint_guarded_mount_raises_at_include(app, tokens):
    bp = Blueprint("ext", guards=[authenticate(tokens)])
    bp.mount("/inner", dyne.App(static_dir=None))
    with pytest.raises(RouteError, match="cannot protect the app mounted at '/inner'"):
        app.include(bp)


def test_blueprint_guards_must_be_a_list():
    with pytest.raises(TypeError, match=r"guards=\[\.\.\.\]"):
        Blueprint("x", guards=lambda view: view)  # type: ignore[arg-type]


# -- LoginManager.login_required --------------------------------------------------------


@pytest.fixture
def manager(app) -> LoginManager:
    manager = LoginManager(app)
    users: dict[str, Any] = {"1": {"id": "1", "roles": ["user"]}}
    manager.user_loader(users.get)
    return manager


def test_blueprint_login_required_guard_refuses_anonymous(app, manager, ran):
    bp = Blueprint("account", prefix="/account", guards=[manager.login_required])

    @bp.route("/", methods=["GET", "POST"])
    async def account(req, resp):
        ran.append("account")

    app.include(bp)
    answer = app.client.post("/account/", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login?next=%2Faccount%2F")
    assert ran == []


def test_blueprint_login_required_with_role_refuses_anonymous(app, manager, ran):
    bp = Blueprint("staff", guards=[manager.login_required(role="admin")])

    @bp.route("/staff")
    class Staff:
        async def on_request(self, req, resp):
            ran.append("on_request")

        async def on_get(self, req, resp):
            ran.append("on_get")

    app.include(bp)
    assert app.client.get("/staff", follow_redirects=False).status_code == 302
    assert ran == []
