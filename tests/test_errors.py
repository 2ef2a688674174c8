"""Error handling: abort(), handlers by status and exception, defaults, debug mode."""

from __future__ import annotations

import logging

import pytest

import dyne
from dyne.exceptions import HTTPException, abort


def test_abort_raises_http_exception_with_detail():
    with pytest.raises(HTTPException) as caught:
        abort(403, detail="no")
    assert (caught.value.status_code, caught.value.detail) == (403, "no")


def test_http_exception_detail_defaults_to_phrase():
    assert HTTPException(404).detail == "Not Found"


def test_abort_without_handler_sends_detail_as_text(app, client):
    @app.route("/secret")
    async def secret(req, resp):
        abort(403, detail="You do not have access to this resource.")

    response = client.get("/secret")
    assert response.status_code == 403
    assert response.text == "You do not have access to this resource."


def test_error_handler_for_status_receives_exception(app, client):
    @app.error_handler(403)
    async def forbidden_handler(req, resp, exc):
        resp.status_code = 403
        resp.media = {"error": "Forbidden", "message": getattr(exc, "detail", "Access Denied")}

    @app.route("/secret")
    async def secret_page(req, resp):
        if not req.headers.get("Authorization"):
            abort(403, detail="You do not have access to this resource.")
        resp.text = "Welcome to the secret vault."

    response = client.get("/secret")
    assert response.status_code == 403
    assert response.json() == {
        "error": "Forbidden",
        "message": "You do not have access to this resource.",
    }
    assert client.get("/secret", headers={"Authorization": "x"}).text == (
        "Welcome to the secret vault."
    )


def test_error_handler_404_runs_for_unmatched_route(app, client):
    @app.error_handler(404)
    async def handle_404(req, resp, exc):
        resp.status_code = 404
        resp.media = {"error": "The page you are looking for does not exist."}

    response = client.get("/missing")
    assert response.status_code == 404
    assert response.json() == {"error": "The page you are looking for does not exist."}


def test_error_handler_500_runs_for_unhandled_exception(app, client):
    @app.error_handler(500)
    async def handle_500(req, resp, exc):
        resp.status_code = 500
        resp.text = f"Internal Server Error: {exc!s}"

    @app.route("/crash")
    async def crash(req, resp):
        raise ValueError("bad value")

    response = client.get("/crash")
    assert response.status_code == 500
    assert response.text == "Internal Server Error: bad value"


def test_error_handler_for_exception_class(app, client):
    class OutOfStock(Exception):
        pass

    @app.error_handler(OutOfStock)
    async def out_of_stock(req, resp, exc):
        resp.status_code = 409
        resp.media = {"error": "out of stock"}

    @app.route("/buy")
    async def buy(req, resp):
        raise OutOfStock()

    response = client.get("/buy")
    assert (response.status_code, response.json()) == (409, {"error": "out of stock"})


def test_error_handler_may_be_sync(app, client):
    @app.error_handler(404)
    def handle_404(req, resp, exc):
        resp.text = "sync handler"

    assert client.get("/none").text == "sync handler"


def test_error_handler_that_fails_gives_plain_500(app, client, caplog):
    @app.error_handler(404)
    async def broken(req, resp, exc):
        raise RuntimeError("handler bug")

    with caplog.at_level(logging.ERROR, logger="dyne"):
        response = client.get("/none")
    assert (response.status_code, response.text) == (500, "500 Internal Server Error")
    assert "handler bug" in caplog.text


def test_error_handler_rejects_other_keys(app):
    with pytest.raises(TypeError, match="status code or an exception class"):
        app.error_handler("404")


def test_default_500_hides_details_and_logs_traceback(app, client, caplog):
    @app.route("/crash")
    async def crash(req, resp):
        raise AttributeError("secret internals")

    with caplog.at_level(logging.ERROR, logger="dyne"):
        response = client.get("/crash")
    assert response.status_code == 500
    assert response.text == "500 Internal Server Error"
    assert "secret internals" not in response.text
    assert "secret internals" in caplog.text
    assert "Traceback" in caplog.text


def test_error_keeps_headers_set_before_the_error(app, client):
    @app.route(before_request=True)
    def prepare_response(req, resp):
        resp.headers["X-Pizza"] = "42"

    assert client.get("/missing").headers["x-pizza"] == "42"


def test_error_discards_body_set_before_the_error(app, client):
    @app.route("/half")
    async def half(req, resp):
        resp.media = {"partial": True}
        abort(400, "bad")

    assert client.get("/half").text == "bad"


def test_debug_mode_reraises_unhandled_exceptions(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(debug=True)

    @app.route("/crash")
    async def crash(req, resp):
        raise ValueError("shown to developer")

    with pytest.raises(ValueError, match="shown to developer"):
        app.client.get("/crash")
    app.client.close()


def test_debug_mode_shows_traceback_page(tmp_path, monkeypatch):
    from dyne.testing import TestClient

    monkeypatch.chdir(tmp_path)
    app = dyne.App(debug=True)

    @app.route("/crash")
    async def crash(req, resp):
        raise ValueError("shown to developer")

    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/crash", headers={"Accept": "text/html"})
    assert response.status_code == 500
    assert "shown to developer" in response.text
    assert "Traceback" in response.text


def test_debug_mode_still_handles_abort(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(debug=True)

    @app.route("/gone")
    async def gone(req, resp):
        abort(410)

    assert app.client.get("/gone").status_code == 410
    app.client.close()


def test_debug_mode_runs_handler_for_exception_class(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(debug=True)

    class Conflict(Exception):
        pass

    @app.error_handler(Conflict)
    async def conflict(req, resp, exc):
        resp.status_code = 409
        resp.media = {"error": "conflict"}

    @app.route("/clash")
    async def clash(req, resp):
        raise Conflict()

    response = app.client.get("/clash")
    assert (response.status_code, response.json()) == (409, {"error": "conflict"})
    app.client.close()


def test_debug_mode_runs_handler_for_a_base_class(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(debug=True)

    @app.error_handler(LookupError)
    async def missing(req, resp, exc):
        resp.status_code = 404
        resp.text = "missing"

    @app.route("/key")
    async def key(req, resp):
        raise KeyError("k")

    assert app.client.get("/key").text == "missing"
    app.client.close()


def test_error_in_user_middleware_is_plain_500(app):
    class Broken:
        def __init__(self, app):
            self.app = app

        async def __call__(self, scope, receive, send):
            if scope["type"] == "http":
                raise RuntimeError("middleware bug")
            await self.app(scope, receive, send)

    app.add_middleware(Broken)
    from dyne.testing import TestClient

    response = TestClient(app, raise_server_exceptions=False).get("/")
    assert (response.status_code, response.text) == (500, "500 Internal Server Error")


def test_abort_with_media_answers_json(app, client):
    @app.route("/conflict")
    async def conflict(req, resp):
        abort(409, media={"error": "taken"})

    response = client.get("/conflict")
    assert (response.status_code, response.json()) == (409, {"error": "taken"})
