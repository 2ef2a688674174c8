"""The tour's other samples that feed the document: metadata, the three @expect forms in
both libraries, webhooks, the grouped decorators, the auth backends and login_required."""

from __future__ import annotations

import pytest

import dyne
from dyne.ext.openapi import OpenAPI

LIBRARIES = ["pydantic", "marshmallow"]

description = """
User Management API
This API allows for comprehensive management of users and books.
**Base URL:** `https://api.example.com/v1`
**Support:** `support@example.com`
"""


def _decorators(library: str):
    pytest.importorskip(library)
    if library == "marshmallow":
        pytest.importorskip("apispec")
        from dyne.ext.io import marshmallow as io
    else:
        from dyne.ext.io import pydantic as io
    return io


def _error_schemas(library: str):
    if library == "pydantic":
        from pydantic import BaseModel, Field

        class InvalidTokenSchema(BaseModel):
            error: str = Field("token_expired", description="The error code")
            message: str = Field(..., description="Details about the token failure")

        class InsufficientPermissionsSchema(BaseModel):
            error: str = "forbidden"
            required_role: str = "admin"

    else:
        from marshmallow import Schema, fields

        class InvalidTokenSchema(Schema):
            error = fields.String(
                dump_default="token_expired",
                metadata={"description": "The error code"},
            )
            message = fields.String(
                required=True,
                metadata={"description": "Details about the token failure"},
            )

        class InsufficientPermissionsSchema(Schema):
            error = fields.String(
                dump_default="forbidden",
                metadata={"description": "Error code"},
            )
            required_role = fields.String(
                dump_default="admin",
                metadata={"description": "Role required to access this resource"},
            )

    return InvalidTokenSchema, InsufficientPermissionsSchema


def _schema(spec, ref):
    return spec["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_tour_metadata_sample_sets_the_description(validate, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    app = dyne.App()
    api = OpenAPI(app, description=description)
    info = validate(api.spec)["info"]
    assert info["description"].splitlines()[0] == "User Management API"
    assert "**Support:** `support@example.com`" in info["description"]
    assert "SwaggerUIBundle" in app.client.get("/docs").text
    assert app.client.get("/schema.yml").text.startswith("openapi: 3.0.3")
    app.client.close()


@pytest.mark.parametrize("library", LIBRARIES)
def test_tour_expect_description_only(app, validate, library):
    io = _decorators(library)

    @app.route("/secure-data", methods=["GET"])
    @io.expect({401: "Invalid access or refresh token", 403: "Insufficient permissions"})
    async def get_data(req, resp):
        pass

    responses = validate(OpenAPI(app).spec)["paths"]["/secure-data"]["get"]["responses"]
    assert responses["401"] == {"description": "Invalid access or refresh token"}
    assert responses["403"] == {"description": "Insufficient permissions"}


@pytest.mark.parametrize("library", LIBRARIES)
def test_tour_expect_schema_only(app, validate, library):
    io = _decorators(library)
    InvalidTokenSchema, InsufficientPermissionsSchema = _error_schemas(library)

    @app.route("/secure-data", methods=["GET"])
    @io.expect({401: InvalidTokenSchema, 403: InsufficientPermissionsSchema})
    async def get_data(req, resp):
        pass

    spec = validate(OpenAPI(app).spec)
    responses = spec["paths"]["/secure-data"]["get"]["responses"]
    assert responses["401"]["description"] == "Unauthorized"
    assert responses["403"]["description"] == "Forbidden"
    token = _schema(spec, responses["401"]["content"]["application/json"]["schema"])
    assert token["properties"]["message"]["description"] == "Details about the token failure"
    assert token["required"] == ["message"]


@pytest.mark.parametrize("library", LIBRARIES)
def test_tour_expect_schema_and_description(app, validate, library):
    io = _decorators(library)
    InvalidTokenSchema, InsufficientPermissionsSchema = _error_schemas(library)

    @app.route("/secure-data", methods=["GET"])
    @io.expect(
        {
            401: (InvalidTokenSchema, "Invalid access or refresh token"),
            403: (InsufficientPermissionsSchema, "Requires elevated administrative privileges"),
        }
    )
    async def get_data(req, resp):
        pass

    spec = validate(OpenAPI(app, openapi="3.1.0").spec)
    responses = spec["paths"]["/secure-data"]["get"]["responses"]
    assert responses["403"]["description"] == "Requires elevated administrative privileges"
    permissions = _schema(spec, responses["403"]["content"]["application/json"]["schema"])
    assert set(permissions["properties"]) == {"error", "required_role"}


@pytest.mark.parametrize("library", LIBRARIES)
def test_tour_webhook_names(app, validate, library):
    io = _decorators(library)

    @app.route("/events", methods=["POST"])
    @io.webhook
    async def handle_event(req, resp):
        pass

    @app.route("/transaction", methods=["POST"])
    @io.webhook(name="transaction_callback")
    async def process_payment(req, resp):
        pass

    spec = validate(OpenAPI(app).spec)
    assert set(spec["x-webhooks"]) == {"handle_event", "transaction_callback"}
    assert list(spec["x-webhooks"]["transaction_callback"]) == ["post"]


def test_tour_grouped_decorators_sample(validate, monkeypatch, tmp_path, forget_models):
    pytest.importorskip("pydantic")
    pytest.importorskip("aiosqlite")
    monkeypatch.chdir(tmp_path)
    # The sample leaves out the database URL, the schemas and the model: given here.
    monkeypatch.setenv("ALCHEMICAL_DATABASE_URL", "sqlite:///app.db")
    from pydantic import BaseModel, ConfigDict
    from sqlalchemy import Column, Float, Integer, String

    from dyne.exceptions import abort
    from dyne.ext.db.alchemical import Alchemical, Model
    from dyne.ext.io.pydantic import expect, input, output, webhook

    class Book(Model):
        __tablename__ = "books"
        id = Column(Integer, primary_key=True)
        price = Column(Float)
        title = Column(String)

    class PriceUpdateSchema(BaseModel):
        price: float

    class BookSchema(BaseModel):
        model_config = ConfigDict(from_attributes=True)
        id: int
        title: str
        price: float

    app = dyne.App()
    db = Alchemical(app)
    api = OpenAPI(app, description=description)
    app.on_event("startup", db.create_all)

    @app.route("/update-price/{id}", methods=["PATCH"])
    @webhook  # Documents this endpoint as a webhook.
    @input(PriceUpdateSchema)  # Validate request body.
    @output(BookSchema)  # Serialize updated ORM object.
    @expect(
        {  # Document potential errors.
            403: "Insufficient permissions",
            404: "Book not found",
        }
    )
    async def update_book_price(req, resp, id, *, data):
        session = await req.db
        book = await session.scalar(Book.select().filter_by(id=id))
        if not book:
            abort(404)
        book.price = data.price
        await session.commit()
        # The updated 'book' object is serialized back to the client
        resp.obj = book

    spec = validate(api.spec)
    op = spec["paths"]["/update-price/{id}"]["patch"]
    assert op["parameters"][0]["name"] == "id"
    body = op["requestBody"]["content"]["application/json"]["schema"]
    assert _schema(spec, body)["required"] == ["price"]
    assert set(op["responses"]) == {"200", "400", "403", "404", "413", "415"}
    assert op["responses"]["404"] == {"description": "Book not found"}
    assert list(spec["x-webhooks"]["update_book_price"]) == ["patch"]
    assert app.client.patch("/update-price/1", json={"price": 3.5}).status_code == 404
    app.client.close()


def _stateless_backends():
    pytest.importorskip("dyne.ext.auth")
    from dyne.ext.auth import BasicAuth, DigestAuth, MultiAuth, TokenAuth

    basic_auth, token_auth, digest_auth = BasicAuth(), TokenAuth(), DigestAuth()
    return basic_auth, token_auth, digest_auth, MultiAuth(digest_auth, token_auth, basic_auth)


@pytest.mark.parametrize("openapi", ["3.0.3", "3.1.0"])
def test_tour_multi_auth_lists_each_scheme(app, validate, openapi):
    from dyne.ext.auth import authenticate

    _, _, _, multi_auth = _stateless_backends()

    @app.route("/{greeting}")
    @authenticate(multi_auth)
    async def multi_greet(req, resp, *, greeting):
        resp.text = f"{greeting}, {req.state.user}!"

    spec = validate(OpenAPI(app, openapi=openapi).spec)
    assert spec["components"]["securitySchemes"] == {
        "digestAuth": {"type": "http", "scheme": "digest"},
        "bearerAuth": {"type": "http", "scheme": "bearer"},
        "basicAuth": {"type": "http", "scheme": "basic"},
    }
    assert spec["paths"]["/{greeting}"]["get"]["security"] == [
        {"digestAuth": []},
        {"bearerAuth": []},
        {"basicAuth": []},
    ]


def test_tour_role_routes_describe_their_role(app, validate):
    from dyne.ext.auth import authenticate

    basic_auth, *_ = _stateless_backends()

    @app.route("/dashboard")
    @authenticate(basic_auth, role="user")
    async def dashboard(req, resp):
        resp.text = f"Welcome to the user dashboard, {req.state.user}!"

    @app.route("/system-settings")
    @authenticate(basic_auth, role="admin")
    async def admin_settings(req, resp):
        resp.text = "Sensitive administrative settings."

    paths = validate(OpenAPI(app).spec)["paths"]
    assert paths["/dashboard"]["get"]["description"] == "**Required role:** user"
    assert paths["/system-settings"]["get"]["description"] == "**Required role:** admin"
    assert paths["/system-settings"]["get"]["responses"]["403"]["description"] == "Forbidden"


def test_tour_login_required_is_a_cookie_session_scheme(app, validate):
    pytest.importorskip("dyne.ext.auth")
    from dyne.ext.auth import LoginManager

    app.config["SECRET_KEY"] = "a-test-secret-key-that-is-long-enough"
    auth = LoginManager(app, login_url="/login")

    @app.route("/profile")
    @auth.login_required
    async def profile(req, resp):
        return {"user": req.state.user.username}

    @app.route("/post/edit")
    @auth.login_required(role=["admin", "editor"])
    async def edit(req, resp):
        pass

    @app.route("/system/reset")
    @auth.login_required(role=[["admin", "super_user"]])
    async def reset(req, resp):
        pass

    spec = validate(OpenAPI(app).spec)
    scheme = spec["components"]["securitySchemes"]["sessionAuth"]
    assert (scheme["type"], scheme["in"]) == ("apiKey", "cookie")
    paths = spec["paths"]
    assert paths["/profile"]["get"]["security"] == [{"sessionAuth": []}]
    assert paths["/post/edit"]["get"]["description"] == "**Required role:** admin or editor"
    assert paths["/system/reset"]["get"]["description"] == "**Required role:** admin and super_user"
