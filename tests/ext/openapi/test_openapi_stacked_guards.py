"""Stacked guards must all be met, at run time and in the OpenAPI document alike."""

from __future__ import annotations

import base64

import pytest

pytest.importorskip("apispec")

import dyne
from dyne.ext.auth import BasicAuth, MultiAuth, TokenAuth, authenticate
from dyne.ext.openapi import OpenAPI


@pytest.fixture
def backends():
    basic, token = BasicAuth(), TokenAuth()

    @basic.verify_password
    def check(username, password):
        return username if password == "pw" else None

    @token.verify_token
    def verify(value):
        return "robot" if value == "t0ken" else None

    return basic, token


def _security(app, path):
    return OpenAPI(app).spec["paths"][path]["get"]["security"]


def test_stacked_guards_are_documented_as_one_requirement(backends):
    basic, token = backends
    app = dyne.App()

    @app.route("/both")
    @authenticate(basic)
    @authenticate(token)
    def both(req, resp):
        resp.text = "ok"

    assert _security(app, "/both") == [{"basicAuth": [], "bearerAuth": []}]


def test_stacked_guards_are_all_required_at_run_time(backends):
    basic, token = backends
    app = dyne.App()

    @app.route("/both")
    @authenticate(basic)
    @authenticate(token)
    def both(req, resp):
        resp.text = "ok"

    credentials = "Basic " + base64.b64encode(b"ann:pw").decode()
    assert app.client.get("/both", headers={"Authorization": credentials}).status_code == 401


def test_multiauth_backends_stay_alternatives(backends):
    app = dyne.App()

    @app.route("/either")
    @authenticate(MultiAuth(*backends))
    def either(req, resp):
        resp.text = "ok"

    assert _security(app, "/either") == [{"basicAuth": []}, {"bearerAuth": []}]


def test_an_optional_guard_stacked_on_another_may_be_skipped(backends):
    basic, token = backends
    app = dyne.App()

    @app.route("/maybe")
    @authenticate(basic)
    @authenticate(token, optional=True)
    def maybe(req, resp):
        resp.text = "ok"

    assert _security(app, "/maybe") == [{"basicAuth": [], "bearerAuth": []}, {"basicAuth": []}]
