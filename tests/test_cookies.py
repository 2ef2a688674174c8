"""Cookies: ``req.cookies``, ``resp.cookies`` and ``resp.set_cookie`` with its directives."""

from __future__ import annotations

import datetime

import pytest


def set_cookie_header(response) -> str:
    return response.headers["set-cookie"]


def test_cookies_tour_sample_round_trip(app, client):
    @app.route("/set")
    def set_(req, resp):
        resp.cookies["hello"] = "world"

    @app.route("/get")
    def get(req, resp):
        resp.media = req.cookies

    client.get("/set")
    assert client.get("/get").json() == {"hello": "world"}


def test_cookies_plain_assignment_uses_default_directives(app, client):
    @app.route("/")
    def view(req, resp):
        resp.cookies["hello"] = "world"

    header = set_cookie_header(client.get("/"))
    assert header.startswith("hello=world")
    assert "Path=/" in header
    assert "HttpOnly" in header
    assert "Secure" not in header
    assert "Max-Age" not in header
    assert "expires" not in header.lower()
    assert "Domain" not in header


def test_cookies_set_cookie_tour_sample_sets_max_age(app, client):
    @app.route("/")
    def view(req, resp):
        resp.set_cookie("hello", value="world", max_age=60)

    header = set_cookie_header(client.get("/"))
    assert header.startswith("hello=world")
    assert "Max-Age=60" in header


def test_cookies_set_cookie_defaults(app, client):
    @app.route("/")
    def view(req, resp):
        resp.set_cookie("empty")

    header = set_cookie_header(client.get("/"))
    assert header.startswith('empty=""') or header.startswith("empty=;")
    assert "Path=/" in header
    assert "HttpOnly" in header
    assert "Secure" not in header


def test_cookies_set_cookie_every_directive(app, client):
    expires = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)

    @app.route("/")
    def view(req, resp):
        resp.set_cookie(
            "k",
            value="v",
            expires=expires,
            max_age=120,
            domain="example.com",
            path="/app",
            secure=True,
            httponly=False,
            samesite="strict",
        )

    header = set_cookie_header(client.get("/"))
    assert header.startswith("k=v")
    assert "expires=Wed, 02 Jan 2030 03:04:05 GMT" in header
    assert "Max-Age=120" in header
    assert "Domain=example.com" in header
    assert "Path=/app" in header
    assert "Secure" in header
    assert "HttpOnly" not in header
    assert "SameSite=strict" in header


def test_cookies_expires_accepts_a_string(app, client):
    @app.route("/")
    def view(req, resp):
        resp.set_cookie("k", "v", expires="Thu, 01 Jan 2037 00:00:00 GMT")

    assert "expires=Thu, 01 Jan 2037 00:00:00 GMT" in set_cookie_header(client.get("/"))


def test_cookies_several_cookies_are_all_sent(app, client):
    @app.route("/")
    def view(req, resp):
        resp.cookies["a"] = "1"
        resp.set_cookie("b", "2")

    r = client.get("/")
    headers = r.headers.get_list("set-cookie")
    assert sorted(h.split(";")[0] for h in headers) == ["a=1", "b=2"]


def test_cookies_value_with_spaces_round_trips(app, client):
    @app.route("/set")
    def set_(req, resp):
        resp.cookies["greeting"] = "hello world; x"

    @app.route("/get")
    def get(req, resp):
        resp.text = req.cookies["greeting"]

    client.get("/set")
    assert client.get("/get").text == "hello world; x"


def test_cookies_request_parses_several(app, client):
    @app.route("/")
    def view(req, resp):
        resp.media = req.cookies

    r = client.get("/", headers={"cookie": "a=1; b=two"})
    assert r.json() == {"a": "1", "b": "two"}


def test_cookies_malformed_cookie_header_is_not_an_error(app, client):
    @app.route("/")
    def view(req, resp):
        resp.media = req.cookies

    r = client.get("/", headers={"cookie": '=;;; ="; a=1; \x7f=\x7f; ;b'})
    assert r.status_code == 200
    assert r.json()["a"] == "1"


def test_cookies_delete_cookie_expires_it(app, client):
    @app.route("/")
    def view(req, resp):
        resp.delete_cookie("hello")

    header = set_cookie_header(client.get("/"))
    assert "Max-Age=0" in header
    assert "1970" in header


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"key": "bad name"}, "Invalid cookie name"),
        ({"key": "k", "domain": "a.com; evil"}, "Invalid cookie domain"),
        ({"key": "k", "path": "/\r\nx"}, "Invalid cookie path"),
        ({"key": "k", "samesite": "sideways"}, "Invalid cookie samesite"),
    ],
)
def test_cookies_set_cookie_rejects_bad_input(app, kwargs, message):
    from dyne import Response

    with pytest.raises(ValueError, match=message):
        Response().set_cookie(**kwargs)
