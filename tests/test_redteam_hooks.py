"""Red-team regressions: a before_request hook or a class view's on_request that redirects
(to the login page, say) ends the request like a refusal: the view never runs, and nothing
of its output reaches the client beside the redirect."""

from __future__ import annotations

import pytest

import dyne
from dyne import Blueprint


@pytest.fixture
def app(tmp_path, monkeypatch) -> dyne.App:
    monkeypatch.chdir(tmp_path)
    return dyne.App()


@pytest.fixture
def ran() -> list[str]:
    return []


def _to_login(req, resp):
    if "user" not in req.cookies:
        resp.redirect("/login", status_code=303)


def test_redteam_app_hook_that_redirects_ends_the_request(app, ran):
    app.before_request()(_to_login)

    @app.route("/account/delete", methods=["POST"])
    def delete(req, resp):
        ran.append("deleted")
        resp.text = "the account data"

    r = app.client.post("/account/delete", follow_redirects=False)
    assert (r.status_code, r.headers["location"], r.text) == (303, "/login", "")
    assert ran == []


def test_redteam_blueprint_hook_that_redirects_ends_the_request(app, ran):
    bp = Blueprint("account", prefix="/account")
    bp.before_request()(_to_login)

    @bp.route("/delete", methods=["POST"])
    async def delete(req, resp):
        ran.append("deleted")
        resp.text = "the account data"

    app.include(bp)
    r = app.client.post("/account/delete", follow_redirects=False)
    assert (r.status_code, r.text) == (303, "")
    assert ran == []


def test_redteam_class_view_on_request_that_redirects_skips_the_handler(app, ran):
    @app.route("/settings", methods=["GET", "POST"])
    class Settings:
        def on_request(self, req, resp):
            _to_login(req, resp)

        def on_post(self, req, resp):
            ran.append("saved")
            resp.text = "the settings"

    r = app.client.post("/settings", follow_redirects=False)
    assert (r.status_code, r.text) == (303, "")
    assert ran == []


def test_redteam_hook_that_only_sets_headers_lets_the_view_run(app, ran):
    @app.before_request()
    def pizza(req, resp):
        resp.headers["X-Pizza"] = "42"

    @app.route("/")
    def home(req, resp):
        ran.append("home")
        resp.text = "home"

    r = app.client.get("/")
    assert (r.text, r.headers["x-pizza"], ran) == ("home", "42", ["home"])
