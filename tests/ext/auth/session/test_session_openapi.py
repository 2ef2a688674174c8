"""login_required as the OpenAPI extension documents it: a cookie security scheme."""

from __future__ import annotations

import pytest

from dyne.exceptions import MissingDependency


@pytest.fixture
def spec(app, auth):
    try:
        from dyne.ext.openapi import OpenAPI
    except MissingDependency as exc:
        pytest.skip(str(exc))
    OpenAPI(app)

    @app.route("/profile")
    @auth.login_required
    async def profile(req, resp):
        """The current user."""

    @app.route("/post/edit", methods=["POST"])
    @auth.login_required(role=["admin", "editor"])
    async def edit(req, resp):
        """Edit a post."""

    return app.client.get("/openapi.json").json()


def test_openapi_lists_the_session_cookie_scheme(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["sessionAuth"] == {"type": "apiKey", "in": "cookie", "name": "dyne-Session"}


def test_openapi_marks_login_required_operations(spec):
    assert spec["paths"]["/profile"]["get"]["security"] == [{"sessionAuth": []}]
    assert spec["paths"]["/post/edit"]["post"]["security"] == [{"sessionAuth": []}]


def test_openapi_leaves_public_operations_open(spec):
    assert "security" not in spec["paths"]["/me"]["get"]


def test_openapi_documents_403_for_role_requirements(spec):
    assert "403" in spec["paths"]["/post/edit"]["post"]["responses"]
    assert "403" not in spec["paths"]["/profile"]["get"]["responses"]
