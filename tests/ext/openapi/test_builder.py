"""The document built from routes and metadata, with stand-in adapters and backends."""

from __future__ import annotations

import pytest
from openapi_fakes import (
    BASIC,
    BEARER,
    BOOK,
    DIGEST,
    FakeAdapter,
    SecurityRequirement,
    expect,
    inp,
    out,
    secured,
    webhook,
)

from dyne.ext.openapi import OpenAPI

VERSIONS = ["3.0.3", "3.1.0"]


def _spec(app, openapi="3.0.3", **options):
    return OpenAPI(app, openapi=openapi, **options).spec


def test_spec_paths_convert_path_converters_to_parameters(app, validate):
    @app.route("/books/{id:int}/{slug}")
    async def show(req, resp, id, slug):
        pass

    spec = validate(_spec(app))
    op = spec["paths"]["/books/{id}/{slug}"]["get"]
    assert op["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}},
        {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
    ]


def test_spec_documents_an_app_converter_with_its_own_schema(app, validate):
    from dyne.extension import Converter, add_path_converter

    year = Converter(r"[0-9]{4}", int, schema={"type": "integer", "minimum": 1000})
    add_path_converter(app, "year", year)

    @app.route("/archive/{when:year}")
    async def archive(req, resp, when):
        pass

    op = validate(_spec(app))["paths"]["/archive/{when}"]["get"]
    assert op["parameters"][0]["schema"] == {"type": "integer", "minimum": 1000}


def test_spec_leaves_out_its_own_routes(app):
    spec = _spec(app)
    assert spec["paths"] == {}


def test_spec_documents_head_only_through_get(app):
    @app.route("/ping")
    async def ping(req, resp):
        pass

    assert list(_spec(app)["paths"]["/ping"]) == ["get"]


def test_spec_operation_id_is_the_route_name(app):
    @app.route("/ping", name="health")
    async def ping(req, resp):
        pass

    assert _spec(app)["paths"]["/ping"]["get"]["operationId"] == "health"


def test_spec_operation_ids_are_unique_per_method(app, validate):
    @app.route("/items", methods=["GET", "POST"])
    async def items(req, resp):
        pass

    item = validate(_spec(app))["paths"]["/items"]
    assert {item["get"]["operationId"], item["post"]["operationId"]} == {"items_get", "items_post"}


def test_spec_docstring_gives_summary_and_description(app):
    @app.route("/book", methods=["POST"])
    async def create_book(req, resp):
        """
        Create a new Book
        ---
        This endpoint allows admins to upload a book cover and metadata.
        """

    op = _spec(app)["paths"]["/book"]["post"]
    assert op["summary"] == "Create a new Book"
    assert op["description"] == "This endpoint allows admins to upload a book cover and metadata."


def test_spec_one_line_docstring_is_only_a_summary(app):
    @app.route("/ping")
    async def ping(req, resp):
        """Answer pong."""

    op = _spec(app)["paths"]["/ping"]["get"]
    assert op["summary"] == "Answer pong."
    assert "description" not in op


def test_spec_route_without_metadata_answers_200(app, validate):
    @app.route("/ping")
    async def ping(req, resp):
        pass

    assert validate(_spec(app))["paths"]["/ping"]["get"]["responses"] == {
        "200": {"description": "OK"}
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_spec_output_references_a_component(app, validate, version):
    @app.route("/book")
    @out(BOOK, status_code=201, description="The new book")
    async def book(req, resp):
        pass

    spec = validate(_spec(app, version))
    response = spec["paths"]["/book"]["get"]["responses"]["201"]
    assert response["description"] == "The new book"
    assert response["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Book"
    }
    assert spec["components"]["schemas"]["Book"]["properties"]["title"] == {"type": "string"}


@pytest.mark.parametrize("version", VERSIONS)
def test_spec_output_many_is_an_array(app, validate, version):
    @app.route("/books")
    @out(BOOK, many=True)
    async def books(req, resp):
        pass

    spec = validate(_spec(app, version))
    schema = spec["paths"]["/books"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schema["schema"] == {"type": "array", "items": {"$ref": "#/components/schemas/Book"}}


@pytest.mark.parametrize("version", VERSIONS)
def test_spec_output_without_many_is_one_object_or_an_array(app, validate, version):
    @app.route("/books")
    @out(BOOK, many=None)
    async def books(req, resp):
        pass

    spec = validate(_spec(app, version))
    schema = spec["paths"]["/books"]["get"]["responses"]["200"]["content"]["application/json"]
    book = {"$ref": "#/components/schemas/Book"}
    assert schema["schema"] == {"anyOf": [book, {"type": "array", "items": book}]}


def test_spec_output_without_description_uses_the_status_phrase(app):
    @app.route("/book")
    @out(BOOK, status_code=201)
    async def book(req, resp):
        pass

    responses = _spec(app)["paths"]["/book"]["get"]["responses"]
    assert responses["201"]["description"] == "Created"
    assert "200" not in responses


def test_spec_many_output_is_an_array_of_the_component(app, validate):
    books = FakeAdapter("Book", BOOK.schema, many=True)

    @app.route("/books")
    @out(books)
    async def list_books(req, resp):
        pass

    spec = validate(_spec(app))
    schema = spec["paths"]["/books"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schema["schema"] == {"type": "array", "items": {"$ref": "#/components/schemas/Book"}}


def test_spec_same_schema_twice_is_stored_once(app):
    again = FakeAdapter("Book", BOOK.schema)

    @app.route("/a")
    @out(BOOK)
    async def a(req, resp):
        pass

    @app.route("/b")
    @out(again)
    async def b(req, resp):
        pass

    assert list(_spec(app)["components"]["schemas"]) == ["Book"]


@pytest.mark.parametrize("version", VERSIONS)
def test_spec_two_different_books_get_unique_names(app, validate, version):
    other = FakeAdapter("Book", {"type": "object", "properties": {"isbn": {"type": "string"}}})

    @app.route("/a")
    @out(BOOK)
    async def a(req, resp):
        pass

    @app.route("/b")
    @out(other)
    async def b(req, resp):
        pass

    spec = validate(_spec(app, version))
    schemas = spec["components"]["schemas"]
    assert set(schemas) == {"Book", "Book2"}
    ref_b = spec["paths"]["/b"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schemas[ref_b["schema"]["$ref"].rsplit("/", 1)[1]]["properties"] == {
        "isbn": {"type": "string"}
    }


def test_spec_nested_schema_collision_rewrites_refs(app, validate):
    author_a = {"type": "object", "properties": {"name": {"type": "string"}}}
    author_b = {"type": "object", "properties": {"id": {"type": "integer"}}}
    first = FakeAdapter(
        "Post",
        {"type": "object", "properties": {"author": {"$ref": "#/components/schemas/Author"}}},
        named={"Author": author_a},
    )
    second = FakeAdapter(
        "Comment",
        {"type": "object", "properties": {"author": {"$ref": "#/components/schemas/Author"}}},
        named={"Author": author_b},
    )

    @app.route("/a")
    @out(first)
    async def a(req, resp):
        pass

    @app.route("/b")
    @out(second)
    async def b(req, resp):
        pass

    schemas = validate(_spec(app))["components"]["schemas"]
    assert schemas["Comment"]["properties"]["author"] == {"$ref": "#/components/schemas/Author2"}
    assert schemas["Author2"] == author_b


def test_spec_unsafe_component_name_is_cleaned(app, validate):
    page = FakeAdapter("Page[Book]", {"type": "object"})

    @app.route("/a")
    @out(page)
    async def a(req, resp):
        pass

    assert list(validate(_spec(app))["components"]["schemas"]) == ["Page_Book"]


@pytest.mark.parametrize("version", VERSIONS)
def test_spec_media_input_is_a_json_form_and_yaml_body(app, validate, version):
    @app.route("/book", methods=["POST"])
    @inp(BOOK)
    async def create(req, resp, *, data):
        pass

    body = validate(_spec(app, version))["paths"]["/book"]["post"]["requestBody"]
    assert body["required"] is True
    assert list(body["content"]) == [
        "application/json",
        "application/x-www-form-urlencoded",
        "application/yaml",
    ]
    assert body["content"]["application/yaml"]["schema"] == {"$ref": "#/components/schemas/Book"}


@pytest.mark.parametrize("version", VERSIONS)
def test_spec_file_input_is_a_multipart_body(app, validate, version):
    upload = FakeAdapter(
        "Upload",
        {"type": "object", "properties": {"image": {"type": "string", "format": "binary"}}},
        file=True,
    )

    @app.route("/upload", methods=["POST"])
    @inp(upload, location="form")
    async def create(req, resp, *, data):
        pass

    spec = validate(_spec(app, version))
    assert list(spec["paths"]["/upload"]["post"]["requestBody"]["content"]) == [
        "multipart/form-data"
    ]
    image = spec["components"]["schemas"]["Upload"]["properties"]["image"]
    if version == "3.0.3":
        assert image == {"type": "string", "format": "binary"}
    else:
        assert image == {"type": "string", "contentMediaType": "application/octet-stream"}


def test_spec_query_input_becomes_parameters(app, validate):
    query = FakeAdapter(
        "Query",
        {},
        params=[{"name": "page", "required": False, "schema": {"type": "integer", "default": 1}}],
    )

    @app.route("/books")
    @inp(query, location="query", key="params")
    async def books(req, resp, *, params):
        pass

    op = validate(_spec(app))["paths"]["/books"]["get"]
    assert op["parameters"] == [
        {
            "name": "page",
            "required": False,
            "schema": {"type": "integer", "default": 1},
            "in": "query",
        }
    ]
    assert "requestBody" not in op


def test_spec_headers_location_is_documented_as_header(app, validate):
    # @input records "headers" as "header" (the metadata contract); the real decorator shows it.
    pydantic = pytest.importorskip("pydantic")
    from dyne.ext.io.pydantic import input as pydantic_input

    class Headers(pydantic.BaseModel):
        api_key: str = pydantic.Field(alias="X-API-Key")

    @app.route("/secure")
    @pydantic_input(Headers, location="headers")
    async def secure(req, resp, *, headers):
        pass

    (parameter,) = validate(_spec(app))["paths"]["/secure"]["get"]["parameters"]
    assert (parameter["name"], parameter["in"]) == ("X-API-Key", "header")


def test_spec_input_documents_a_validation_error_response(app, validate):
    @app.route("/book", methods=["POST"])
    @inp(BOOK)
    async def create(req, resp, *, data):
        pass

    spec = validate(_spec(app))
    response = spec["paths"]["/book"]["post"]["responses"]["400"]
    assert response["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationError"
    }
    assert spec["components"]["schemas"]["ValidationError"]["required"] == ["errors"]


def test_spec_output_headers_are_response_headers(app, validate):
    headers = FakeAdapter(
        "RateHeaders",
        {},
        params=[{"name": "X-Rate", "required": True, "schema": {"type": "integer"}}],
    )

    @app.route("/book")
    @out(BOOK, headers=headers)
    async def book(req, resp):
        pass

    response = validate(_spec(app))["paths"]["/book"]["get"]["responses"]["200"]
    assert response["headers"] == {"X-Rate": {"required": True, "schema": {"type": "integer"}}}


@pytest.mark.parametrize("version", VERSIONS)
def test_spec_expect_takes_all_three_forms(app, validate, version):
    error = FakeAdapter(
        "InvalidToken", {"type": "object", "properties": {"error": {"type": "string"}}}
    )

    @app.route("/secure-data")
    @expect({401: error, 403: "Insufficient permissions", 409: (error, "Conflict here")})
    async def data(req, resp):
        pass

    responses = validate(_spec(app, version))["paths"]["/secure-data"]["get"]["responses"]
    assert responses["401"]["description"] == "Unauthorized"
    assert responses["401"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/InvalidToken"
    }
    assert responses["403"] == {"description": "Insufficient permissions"}
    assert responses["409"]["description"] == "Conflict here"
    assert "content" in responses["409"]


def test_spec_expect_keeps_the_success_response(app):
    @app.route("/x")
    @expect({404: "Missing"})
    async def x(req, resp):
        pass

    assert set(_spec(app)["paths"]["/x"]["get"]["responses"]) == {"200", "404"}


def test_spec_webhook_goes_to_x_webhooks_in_30(app, validate):
    @app.route("/transaction", methods=["POST"])
    @webhook("transaction_callback")
    async def pay(req, resp):
        """Receives a payment."""

    spec = validate(_spec(app, "3.0.3"))
    assert spec["x-webhooks"]["transaction_callback"]["post"]["summary"] == "Receives a payment."
    assert "webhooks" not in spec


def test_spec_webhook_goes_to_webhooks_in_31(app, validate):
    @app.route("/transaction", methods=["POST"])
    @webhook("transaction_callback")
    async def pay(req, resp):
        pass

    spec = validate(_spec(app, "3.1.0"))
    assert list(spec["webhooks"]["transaction_callback"]) == ["post"]
    assert "operationId" not in spec["webhooks"]["transaction_callback"]["post"]


@pytest.mark.parametrize("version", VERSIONS)
def test_spec_security_schemes_are_listed(app, validate, version):
    @app.route("/a")
    @secured(BASIC)
    async def a(req, resp):
        pass

    @app.route("/b")
    @secured(BEARER, DIGEST)
    async def b(req, resp):
        pass

    spec = validate(_spec(app, version))
    assert spec["components"]["securitySchemes"] == {
        "basicAuth": {"type": "http", "scheme": "basic"},
        "bearerAuth": {"type": "http", "scheme": "bearer"},
        "digestAuth": {"type": "http", "scheme": "digest"},
    }
    assert spec["paths"]["/a"]["get"]["security"] == [{"basicAuth": []}]
    assert spec["paths"]["/b"]["get"]["security"] == [{"bearerAuth": []}, {"digestAuth": []}]


def test_spec_security_adds_a_401_response(app):
    @app.route("/a")
    @secured(BASIC)
    async def a(req, resp):
        pass

    response = _spec(app)["paths"]["/a"]["get"]["responses"]["401"]
    assert response["description"] == "Unauthorized"
    assert response["content"] == {"text/plain": {"schema": {"type": "string"}}}
    assert set(response["headers"]) == {"WWW-Authenticate"}


def test_spec_roles_are_described(app):
    admin = SecurityRequirement(
        "basicAuth",
        BASIC.scheme,
        roles=[["admin", "super_user"]],
        roles_text="admin and super_user",
    )

    @app.route("/reset")
    @secured(admin)
    async def reset(req, resp):
        """Reset everything."""

    op = _spec(app)["paths"]["/reset"]["get"]
    assert op["description"] == "**Required role:** admin and super_user"
    assert op["responses"]["403"]["description"] == "Forbidden"


def test_spec_optional_security_allows_anonymous(app, validate):
    maybe = SecurityRequirement("basicAuth", BASIC.scheme, optional=True)

    @app.route("/a")
    @secured(maybe)
    async def a(req, resp):
        pass

    assert validate(_spec(app))["paths"]["/a"]["get"]["security"] == [{"basicAuth": []}, {}]


def test_spec_session_cookie_scheme_is_an_api_key(app, validate):
    session = SecurityRequirement(
        "sessionAuth", {"type": "apiKey", "in": "cookie", "name": "dyne-Session"}
    )

    @app.route("/profile")
    @secured(session)
    async def profile(req, resp):
        pass

    spec = validate(_spec(app))
    assert spec["components"]["securitySchemes"]["sessionAuth"]["in"] == "cookie"


def test_spec_class_view_reads_each_method(app, validate):
    @app.route("/books")
    class Books:
        @out(BOOK)
        async def on_get(self, req, resp):
            """List books."""

        async def on_post(self, req, resp):
            """Add a book."""

    item = validate(_spec(app))["paths"]["/books"]
    assert item["get"]["summary"] == "List books."
    assert "content" in item["get"]["responses"]["200"]
    assert item["post"]["summary"] == "Add a book."


def test_spec_leaves_out_websocket_routes(app):
    @app.route("/ws", websocket=True)
    async def ws(socket):
        pass

    assert "/ws" not in _spec(app)["paths"]


def test_spec_is_rebuilt_when_routes_are_added(app):
    api = OpenAPI(app)
    assert api.spec["paths"] == {}

    @app.route("/late")
    async def late(req, resp):
        pass

    assert "/late" in api.spec["paths"]


def test_spec_is_cached_between_reads(app):
    calls = []

    class Counting(FakeAdapter):
        def json_schema(self, ref_prefix):
            calls.append(ref_prefix)
            return super().json_schema(ref_prefix)

    @app.route("/book")
    @out(Counting("Book", BOOK.schema))
    async def book(req, resp):
        pass

    api = OpenAPI(app)
    first, second = api.spec, api.spec
    assert first == second
    assert len(calls) == 1


def test_spec_info_carries_the_metadata(app, validate):
    spec = _spec(
        app,
        title="Book Store",
        version="2.0",
        description="\n    User Management API\n\n    Books.\n    ",
        terms_of_service="https://example.com/tos",
        contact={"name": "Support", "email": "support@example.com"},
        license="MIT",
    )
    validate(spec)
    assert spec["info"] == {
        "title": "Book Store",
        "version": "2.0",
        "description": "User Management API\n\nBooks.",
        "termsOfService": "https://example.com/tos",
        "contact": {"name": "Support", "email": "support@example.com"},
        "license": {"name": "MIT"},
    }


def test_spec_cookies_location_is_documented_as_cookie(app, validate):
    pydantic = pytest.importorskip("pydantic")
    from dyne.ext.io.pydantic import input as pydantic_input

    class Cookies(pydantic.BaseModel):
        session: str | None = None

    @app.route("/me")
    @pydantic_input(Cookies, location="cookies")
    async def me(req, resp, *, cookies):
        pass

    (parameter,) = validate(_spec(app))["paths"]["/me"]["get"]["parameters"]
    assert (parameter["name"], parameter["in"]) == ("session", "cookie")


def test_spec_docstring_without_separator_keeps_the_rest_as_description(app):
    @app.route("/ping")
    async def ping(req, resp):
        """Answer pong.

        Used by the load balancer.
        """

    op = _spec(app)["paths"]["/ping"]["get"]
    assert (op["summary"], op["description"]) == ("Answer pong.", "Used by the load balancer.")
