"""App(session_store=...): the seam for server-side sessions (here a dict in memory)."""

from __future__ import annotations

import secrets

import dyne
from dyne.sessions import Session, delete_session_cookie, set_session_cookie


class DictStore:
    """A minimal SessionStore: data in a dict, the cookie holds a random key."""

    def __init__(self):
        self.data = {}

    def load(self, req):
        sid = req.cookies.get("dyne-Session")
        session = Session(self.data.get(sid, {}))
        session.id = sid if sid in self.data else None
        return session

    def save(self, req, resp, session):
        if not session:
            self.data.pop(session.id, None)
            delete_session_cookie(req, resp)
            return
        sid = session.id or secrets.token_urlsafe(16)
        self.data[sid] = dict(session)
        set_session_cookie(req, resp, sid)


def make_app(tmp_path, monkeypatch, store):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(secret_key="a-long-enough-secret-key", session_store=store)

    @app.route("/set")
    def set_value(req, resp):
        resp.session["user"] = "ada"

    @app.route("/get")
    def get_value(req, resp):
        resp.text = str(req.session.get("user"))

    @app.route("/clear")
    def clear(req, resp):
        req.session.clear()

    return app


def test_session_store_keeps_the_data_server_side(tmp_path, monkeypatch):
    store = DictStore()
    app = make_app(tmp_path, monkeypatch, store)
    cookie = app.client.get("/set").cookies["dyne-Session"]
    assert store.data == {cookie: {"user": "ada"}}
    assert app.client.get("/get").text == "ada"


def test_session_store_cleared_session_is_deleted(tmp_path, monkeypatch):
    store = DictStore()
    app = make_app(tmp_path, monkeypatch, store)
    app.client.get("/set")
    response = app.client.get("/clear")
    assert store.data == {}
    assert (
        'dyne-Session=""' in response.headers["set-cookie"]
        or "Max-Age=0" in (response.headers["set-cookie"])
    )


def test_session_store_cookie_is_secure_over_https(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch, DictStore())
    response = app.client.get("https://testserver/set")
    assert "secure" in response.headers["set-cookie"].lower()


def test_session_without_a_store_stays_in_the_cookie(app, client):
    @app.route("/set")
    def set_value(req, resp):
        resp.session["user"] = "ada"

    assert app.session_store is None
    assert client.get("/set").cookies["dyne-Session"]
