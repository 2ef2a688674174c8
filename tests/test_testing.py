"""The test client behind ``app.client``."""

from __future__ import annotations

import pytest

import dyne


@pytest.fixture
def fresh_app(tmp_path, monkeypatch):
    """An app whose client the test itself starts through ``app.client``."""
    monkeypatch.chdir(tmp_path)
    app = dyne.App()
    yield app
    if app._client is not None:
        app.client.close()


def test_client_tour_sample_gets_url_for(fresh_app):
    hello = "hello, world!"

    @fresh_app.route("/some-url")
    def some_view(req, resp):
        resp.text = hello

    r = fresh_app.client.get(url=fresh_app.url_for(some_view))
    assert r.text == hello


def test_client_accepts_the_semicolon_base_url(fresh_app):
    @fresh_app.route("/x")
    def view(req, resp):
        resp.text = "x"

    assert fresh_app.client.get("http://;/x").text == "x"


def test_client_is_created_once(fresh_app):
    assert fresh_app.client is fresh_app.client


def test_client_runs_startup_before_the_first_request(fresh_app):
    events = []

    @fresh_app.on_event("startup")
    async def started():
        events.append("startup")

    @fresh_app.route("/")
    def view(req, resp):
        resp.media = events

    assert fresh_app.client.get("/").json() == ["startup"]


def test_client_close_runs_shutdown(fresh_app):
    events = []

    @fresh_app.on_event("shutdown")
    def stopped():
        events.append("shutdown")

    fresh_app.client.get("/")
    fresh_app.client.close()
    assert events == ["shutdown"]


def test_client_keeps_cookies_between_requests(fresh_app):
    @fresh_app.route("/set")
    def set_cookie(req, resp):
        resp.cookies["flavour"] = "mint"

    @fresh_app.route("/get")
    def get_cookie(req, resp):
        resp.text = req.cookies.get("flavour", "none")

    fresh_app.client.get("/set")
    assert fresh_app.client.get("/get").text == "mint"


def test_client_opens_websockets(fresh_app):
    @fresh_app.route("/ws", websocket=True)
    async def echo(ws):
        await ws.accept()
        await ws.send_text(f"Hello {await ws.receive_text()}!")
        await ws.close()

    with fresh_app.client.websocket_connect("/ws") as ws:
        ws.send_text("dyne")
        assert ws.receive_text() == "Hello dyne!"


def test_client_after_close_is_a_new_started_client(fresh_app):
    starts = []

    @fresh_app.on_event("startup")
    def started():
        starts.append(1)

    first = fresh_app.client
    first.close()
    assert fresh_app.client is not first
    assert len(starts) == 2
