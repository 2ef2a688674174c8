"""RFC 9457 problem details: App(problem_details=True) and dyne.Problem."""

from __future__ import annotations

import logging

import pytest

import dyne
from dyne.problems import PROBLEM_JSON, Problem


@pytest.fixture
def app(tmp_path, monkeypatch) -> dyne.App:
    monkeypatch.chdir(tmp_path)
    return dyne.App(problem_details=True)


def test_problem_not_found_is_problem_json(app):
    r = app.client.get("/nope")
    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM_JSON
    assert r.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Not Found",
        "instance": "/nope",
    }


def test_problem_instance_never_holds_the_query_string(app):
    r = app.client.get("/nope?token=secret")
    assert r.json()["instance"] == "/nope"


def test_problem_method_not_allowed_keeps_allow(app):
    @app.route("/items")
    async def items(req, resp):
        resp.text = "ok"

    r = app.client.post("/items")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD, OPTIONS"
    assert r.json()["title"] == "Method Not Allowed"


def test_problem_abort_carries_detail(app):
    @app.route("/gone")
    async def gone(req, resp):
        dyne.abort(410, "This item was withdrawn.")

    r = app.client.get("/gone")
    assert r.status_code == 410
    assert r.json()["detail"] == "This item was withdrawn."
    assert r.json()["title"] == "Gone"


def test_problem_abort_media_members_become_extension_members(app):
    @app.route("/bad")
    async def bad(req, resp):
        dyne.abort(400, "Invalid.", media={"errors": {"name": ["Missing."]}})

    assert app.client.get("/bad").json()["errors"] == {"name": ["Missing."]}


def test_problem_media_cannot_overwrite_status(app):
    @app.route("/bad")
    async def bad(req, resp):
        dyne.abort(400, media={"status": 200, "type": "x"})

    body = app.client.get("/bad").json()
    assert (body["status"], body["type"]) == (400, "about:blank")


def test_problem_parser_400(app):
    @app.route("/in", methods=["POST"])
    async def take(req, resp):
        resp.media = await req.media()

    r = app.client.post("/in", content=b"{nope", headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.headers["content-type"] == PROBLEM_JSON
    assert "not valid JSON" in r.json()["detail"]


def test_problem_unsupported_media_type_415(app):
    @app.route("/in", methods=["POST"])
    async def take(req, resp):
        resp.media = await req.media()

    r = app.client.post("/in", content=b"x", headers={"content-type": "text/csv"})
    assert r.status_code == 415
    assert r.json()["status"] == 415


def test_problem_body_too_large_413(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(problem_details=True, max_body_size=10)

    @app.route("/in", methods=["POST"])
    async def take(req, resp):
        resp.content = await req.content

    r = app.client.post("/in", content=b"x" * 100)
    assert r.status_code == 413
    assert r.json()["status"] == 413


def test_problem_500_has_no_exception_text(app, caplog):
    @app.route("/boom")
    async def boom(req, resp):
        raise RuntimeError("database password is hunter2")

    with caplog.at_level(logging.ERROR, logger="dyne"):
        r = app.client.get("/boom")
    assert r.status_code == 500
    assert r.headers["content-type"] == PROBLEM_JSON
    assert "hunter2" not in r.text
    assert "Traceback" not in r.text
    assert "hunter2" in caplog.text  # logged for the operator, not sent


def test_problem_text_for_client_not_accepting_json(app):
    r = app.client.get("/nope", headers={"accept": "text/html"})
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text.startswith("404 Not Found")


@pytest.fixture
def plain_app(tmp_path, monkeypatch) -> dyne.App:
    monkeypatch.chdir(tmp_path)
    return dyne.App()


def test_problem_off_by_default_keeps_todays_bodies(plain_app):
    r = plain_app.client.get("/nope")
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text == "Not Found"


def test_problem_raised_by_a_view_in_any_app(plain_app):
    @plain_app.route("/pay")
    async def pay(req, resp):
        raise dyne.Problem(
            402, "Top up first.", type="https://example.com/probs/credit", balance=30
        )

    r = plain_app.client.get("/pay")
    assert r.status_code == 402
    assert r.headers["content-type"] == PROBLEM_JSON
    assert r.json() == {
        "type": "https://example.com/probs/credit",
        "title": "Payment Required",
        "status": 402,
        "detail": "Top up first.",
        "instance": "/pay",
        "balance": 30,
    }


def test_problem_error_handler_reshapes(app):
    @app.error_handler(404)
    async def not_found(req, resp, exc):
        problem = Problem.from_exception(exc)
        problem.members["hint"] = "See /docs for the routes."
        problem.render(resp)

    body = app.client.get("/nope").json()
    assert body["hint"] == "See /docs for the routes."
    assert body["status"] == 404


def test_problem_error_handler_still_replaces_the_body(app):
    @app.error_handler(404)
    async def not_found(req, resp, exc):
        resp.text = "nothing here"

    assert app.client.get("/nope").text == "nothing here"


def test_problem_from_exception_hides_unexpected_errors():
    problem = Problem.from_exception(ValueError("secret"))
    assert problem.status_code == 500
    assert "secret" not in problem.detail


def test_problem_user_middleware_failure_is_a_problem(app):
    class Broken:
        def __init__(self, inner):
            self.inner = inner

        async def __call__(self, scope, receive, send):
            if scope["type"] == "http":
                raise RuntimeError("middleware secret")
            await self.inner(scope, receive, send)

    app.add_middleware(Broken)
    from dyne.testing import TestClient

    r = TestClient(app, raise_server_exceptions=False).get("/")
    assert r.status_code == 500
    assert r.headers["content-type"] == PROBLEM_JSON
    assert "middleware secret" not in r.text


def test_problem_is_exported():
    assert dyne.Problem is Problem
    assert issubclass(Problem, dyne.HTTPException)


def test_problem_refused_host_is_a_problem(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(problem_details=True, allowed_hosts=["example.com"])
    r = app.client.get("/", headers={"host": "evil.test"})
    assert r.status_code == 400
    assert r.headers["content-type"] == PROBLEM_JSON
    assert r.json()["detail"] == "Invalid host header"


def test_problem_refused_host_stays_text_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(allowed_hosts=["example.com"])
    r = app.client.get("/", headers={"host": "evil.test"})
    assert (r.status_code, r.text) == (400, "Invalid host header")


def test_problem_missing_static_file_is_a_problem(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "here.txt").write_text("here")
    app = dyne.App(problem_details=True)
    assert app.client.get("/static/here.txt").text == "here"
    r = app.client.get("/static/missing.txt")
    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM_JSON
    assert r.json()["instance"] == "/static/missing.txt"


def test_problem_https_redirect_bad_host_is_a_problem(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    logging.getLogger("dyne").disabled = True  # the warning about allowed_hosts
    try:
        app = dyne.App(problem_details=True, enable_hsts=True)
    finally:
        logging.getLogger("dyne").disabled = False
    r = app.client.get("http://;/", headers={"host": "a b"})
    assert r.status_code == 400
    assert r.json()["detail"] == "Invalid host header"
