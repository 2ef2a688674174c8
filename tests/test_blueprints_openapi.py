"""A blueprint's routes in the OpenAPI document: their full paths, the blueprint's tags, and
the same security and status codes as a guard written on the view."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("pydantic")
pytest.importorskip("dyne.ext.openapi")

from pydantic import BaseModel

import dyne
from dyne import Blueprint
from dyne.ext.auth import TokenAuth, authenticate
from dyne.ext.io.pydantic import output
from dyne.ext.openapi import OpenAPI


class Stats(BaseModel):
    users: int


@pytest.fixture
def tokens() -> TokenAuth:
    backend = TokenAuth()
    backend.verify_token(lambda token: "ada" if token == "t" else None)
    backend.get_user_roles(lambda user: ["admin"])
    return backend


@pytest.fixture
def spec(app, tokens) -> dict[str, Any]:
    admin = Blueprint(
        "admin", prefix="/admin", tags=["admin"], guards=[authenticate(tokens, role="admin")]
    )

    @admin.route("/stats")
    @output(Stats)
    async def stats(req, resp):
        """Usage numbers."""
        return {"users": 3}

    @admin.route("/settings", methods=["GET", "PUT"], tags=["settings"])
    class Settings:
        async def on_request(self, req, resp):
            pass

        async def on_get(self, req, resp):
            """Read the settings."""

        async def on_put(self, req, resp):
            """Change the settings."""

    @app.route("/direct/stats")
    @authenticate(tokens, role="admin")
    @output(Stats)
    async def direct(req, resp):
        """Usage numbers."""
        return {"users": 3}

    @app.route("/tagged", tags=["plain"])
    async def tagged(req, resp):
        """A route with tags of its own."""

    app.include(admin, prefix="/v1")
    OpenAPI(app)
    return app.client.get("/openapi.json").json()


def test_blueprint_routes_appear_with_their_full_path(spec):
    assert "/v1/admin/stats" in spec["paths"]


def test_blueprint_tags_reach_every_operation(spec):
    assert spec["paths"]["/v1/admin/stats"]["get"]["tags"] == ["admin"]


def test_blueprint_route_tags_add_to_the_blueprint_tags(spec):
    assert spec["paths"]["/v1/admin/settings"]["put"]["tags"] == ["admin", "settings"]


def test_app_route_tags_reach_the_document(spec):
    assert spec["paths"]["/tagged"]["get"]["tags"] == ["plain"]


def test_blueprint_guard_documents_like_a_guard_on_the_view(spec):
    guarded = spec["paths"]["/v1/admin/stats"]["get"]
    direct = spec["paths"]["/direct/stats"]["get"]
    assert guarded["security"] == direct["security"] == [{"bearerAuth": []}]
    assert set(guarded["responses"]) == set(direct["responses"]) == {"200", "401", "403"}
    assert guarded["description"] == direct["description"]


def test_blueprint_guard_on_class_view_documents_each_method(spec):
    for method in ("get", "put"):
        operation = spec["paths"]["/v1/admin/settings"][method]
        assert operation["security"] == [{"bearerAuth": []}]
        assert {"401", "403"} <= set(operation["responses"])


def test_blueprint_class_view_keeps_its_method_docstrings(spec):
    assert spec["paths"]["/v1/admin/settings"]["put"]["summary"] == "Change the settings."


def test_blueprint_document_is_valid(spec):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(spec)


def test_blueprint_guarded_output_view_still_serialises(app, tokens, spec):
    answer = app.client.get("/v1/admin/stats", headers={"Authorization": "Bearer t"})
    assert answer.json() == {"users": 3}


@pytest.fixture
def app(tmp_path, monkeypatch) -> dyne.App:
    monkeypatch.chdir(tmp_path)
    return dyne.App()
