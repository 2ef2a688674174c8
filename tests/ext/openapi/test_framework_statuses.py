"""The statuses Dyne itself answers on a route are in that route's documentation."""

from __future__ import annotations

import pytest

pytest.importorskip("pydantic")

from pydantic import BaseModel

from dyne.ext.auth import BasicAuth, LoginManager, authenticate
from dyne.ext.io.pydantic import input
from dyne.ext.openapi import OpenAPI

PLAIN = {"text/plain": {"schema": {"type": "string"}}}


class Book(BaseModel):
    title: str


def _responses(app, path, method="get", validate=None):
    spec = OpenAPI(app).spec
    if validate is not None:
        validate(spec)
    return spec["paths"][path][method]["responses"]


def test_framework_statuses_body_route_documents_413_and_415(app, validate):
    @app.route("/books", methods=["POST"])
    @input(Book)
    async def create(req, resp, *, data):
        pass

    responses = _responses(app, "/books", "post", validate)
    assert responses["413"]["content"] == PLAIN
    assert responses["415"]["content"] == PLAIN


def test_framework_statuses_undocumented_without_a_body(app):
    @app.route("/books")
    async def books(req, resp):
        pass

    assert set(_responses(app, "/books")) == {"200"}


def test_framework_statuses_path_parameter_documents_404(app, validate):
    @app.route("/books/{id:int}")
    async def book(req, resp, id):
        pass

    assert _responses(app, "/books/{id}", validate=validate)["404"]["content"] == PLAIN


def test_framework_statuses_answered_415_is_plain_text(app, client):
    @app.route("/books", methods=["POST"])
    @input(Book)
    async def create(req, resp, *, data):
        pass

    response = client.post("/books", content=b"<book/>", headers={"Content-Type": "text/xml"})
    assert response.status_code == 415
    assert response.headers["content-type"].startswith("text/plain")


def test_framework_statuses_guard_401_documents_the_challenge(app, validate):
    basic = BasicAuth()

    @basic.verify_password
    async def verify(username, password):
        return None

    @app.route("/secret")
    @authenticate(basic)
    async def secret(req, resp):
        pass

    unauthorized = _responses(app, "/secret", validate=validate)["401"]
    assert "WWW-Authenticate" in unauthorized["headers"]
    assert app.client.get("/secret").headers["WWW-Authenticate"].startswith("Basic")


def test_framework_statuses_login_required_documents_redirects(app, validate):
    app.secret_key = "a-test-key-that-is-long-enough"
    auth = LoginManager(app, login_url="/login")

    @auth.user_loader
    async def load(user_id):
        return None

    @app.route("/dashboard", methods=["GET", "POST"])
    @auth.login_required
    async def dashboard(req, resp):
        pass

    spec = validate(OpenAPI(app).spec)
    for method in ("get", "post"):
        responses = spec["paths"]["/dashboard"][method]["responses"]
        assert {"302", "303", "401"} <= set(responses)
        assert "headers" not in responses["401"]  # a cookie session sends no challenge
        assert set(responses["401"]["content"]) == {"text/plain", "application/json"}
        assert "Location" in responses["302"]["headers"]


def test_framework_statuses_follow_problem_details(app, validate):
    app.problem_details = True

    @app.route("/books/{id:int}")
    async def book(req, resp, id):
        pass

    spec = validate(OpenAPI(app).spec)
    content = spec["paths"]["/books/{id}"]["get"]["responses"]["404"]["content"]
    assert content == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    assert spec["components"]["schemas"]["Problem"]["required"] == ["status"]
