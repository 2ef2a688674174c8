"""before_request hooks: HTTP ``(req, resp)`` and WebSocket ``(ws)``, sync or async."""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect

from dyne import abort


def test_before_request_tour_sample_adds_header_to_every_response(app, client):
    @app.route(before_request=True)
    def prepare_response(req, resp):
        resp.headers["X-Pizza"] = "42"

    @app.route("/")
    def home(req, resp):
        resp.text = "home"

    assert client.get("/").headers["x-pizza"] == "42"
    assert client.get("/no-such-page").headers["x-pizza"] == "42"


def test_before_request_async_hook_runs_before_the_view(app, client):
    order = []

    @app.route(before_request=True)
    async def hook(req, resp):
        order.append("hook")
        req.state.user = "ada"

    @app.route("/")
    async def view(req, resp):
        order.append("view")
        resp.text = req.state.user

    assert client.get("/").text == "ada"
    assert order == ["hook", "view"]


def test_before_request_hooks_run_in_registration_order(app, client):
    @app.route(before_request=True)
    def first(req, resp):
        resp.headers["x-order"] = "first"

    @app.route(before_request=True)
    async def second(req, resp):
        resp.headers["x-order"] += ",second"

    assert client.get("/").headers["x-order"] == "first,second"


def test_before_request_status_400_or_more_stops_the_view(app, client):
    called = []

    @app.route(before_request=True)
    def guard(req, resp):
        if "token" not in req.params:
            resp.status_code = 401
            resp.media = {"error": "token required"}

    @app.route("/")
    def view(req, resp):
        called.append(True)
        resp.text = "secret"

    r = client.get("/")
    assert r.status_code == 401
    assert r.json() == {"error": "token required"}
    assert called == []
    assert client.get("/?token=1").text == "secret"


def test_before_request_abort_stops_the_view_and_runs_error_handler(app, client):
    called = []

    @app.route(before_request=True)
    async def guard(req, resp):
        abort(403, "members only")

    @app.error_handler(403)
    async def forbidden(req, resp, exc):
        resp.status_code = 403
        resp.media = {"error": exc.detail}

    @app.route("/")
    def view(req, resp):
        called.append(True)

    r = client.get("/")
    assert r.status_code == 403
    assert r.json() == {"error": "members only"}
    assert called == []


def test_before_request_later_hooks_are_skipped_after_a_stop(app, client):
    calls = []

    @app.route(before_request=True)
    def stop(req, resp):
        resp.status_code = 429

    @app.route(before_request=True)
    def later(req, resp):
        calls.append("later")

    assert client.get("/").status_code == 429
    assert calls == []


def test_before_request_websocket_tour_sample_accepts_for_the_view(app, client):
    @app.route(before_request=True, websocket=True)
    async def prepare_response(ws):
        await ws.accept()

    @app.route("/ws", websocket=True)
    async def websocket(ws):
        await ws.accept()  # already accepted by the hook: a no-op
        await ws.send_text("hello")
        await ws.close()

    with client.websocket_connect("/ws") as ws:
        assert ws.receive_text() == "hello"


def test_before_request_websocket_sync_hook_runs(app, client):
    seen = []

    @app.route(before_request=True, websocket=True)
    def hook(ws):
        seen.append(ws.url.path)

    @app.route("/ws", websocket=True)
    async def websocket(ws):
        await ws.accept()
        await ws.send_text("ok")
        await ws.close()

    with client.websocket_connect("/ws") as ws:
        assert ws.receive_text() == "ok"
    assert seen == ["/ws"]


def test_before_request_websocket_hook_that_closes_stops_the_view(app, client):
    called = []

    @app.route(before_request=True, websocket=True)
    async def refuse(ws):
        await ws.close(code=1008)

    @app.route("/ws", websocket=True)
    async def websocket(ws):
        called.append(True)
        await ws.accept()

    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect("/ws"):
        pass
    assert closed.value.code == 1008
    assert called == []


def test_before_request_websocket_hooks_do_not_run_for_http(app, client):
    calls = []

    @app.route(before_request=True, websocket=True)
    async def ws_hook(ws):
        calls.append("ws")

    @app.route("/")
    def view(req, resp):
        resp.text = "ok"

    assert client.get("/").text == "ok"
    assert calls == []
