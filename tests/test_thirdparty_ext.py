"""The third-party package in tests/thirdparty_ext works with public imports only."""

from __future__ import annotations

import ast
import base64
from pathlib import Path

import pytest

pytest.importorskip("apispec")

import dyne
from dyne.ext.auth import BasicAuth, MultiAuth, authenticate
from dyne.ext.openapi import OpenAPI
from thirdparty_ext import APIKeyAuth, install_ndjson, install_slug

PACKAGE = Path(__file__).parent / "thirdparty_ext"


def test_thirdparty_package_imports_only_public_dyne_names():
    private = []
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dyne"):
                names = [node.module or "", *(alias.name for alias in node.names)]
                parts = [part for name in names for part in name.split(".")]
                private += [f"{path.name}: {node.module}" for p in parts if p.startswith("_")]
    assert private == []


# -- the path converter ---------------------------------------------------------------------


@pytest.fixture
def slug_app():
    app = dyne.App()
    install_slug(app)

    @app.route("/posts/{name:slug}")
    def post(req, resp, name):
        resp.media = {"name": name}

    return app


def test_slug_converter_matches_a_slug(slug_app):
    assert slug_app.client.get("/posts/hello-world").json() == {"name": "hello-world"}


def test_slug_converter_refuses_other_text(slug_app):
    assert slug_app.client.get("/posts/Hello_World").status_code == 404


def test_slug_converter_writes_urls(slug_app):
    assert slug_app.url_for("post", name="a-b") == "/posts/a-b"


def test_path_converter_name_taken_by_a_builtin_raises():
    from dyne.extension import add_path_converter
    from thirdparty_ext import SLUG

    with pytest.raises(ValueError, match="'int' already exists"):
        add_path_converter(dyne.App(), "int", SLUG)


def test_slug_converter_belongs_to_one_app(slug_app):
    from dyne.routing import RouteError

    other = dyne.App()
    with pytest.raises(RouteError, match="'slug'"):
        other.add_route("/posts/{name:slug}", lambda req, resp, name: None)


def test_slug_route_is_documented_without_its_converter(slug_app):
    spec = OpenAPI(slug_app).spec
    assert list(spec["paths"]) == ["/posts/{name}"]


# -- the body format ---------------------------------------------------------------------------


@pytest.fixture
def ndjson_app():
    app = dyne.App()
    install_ndjson(app)

    @app.route("/events", methods=["POST"])
    async def events(req, resp):
        resp.media = {"received": await req.media()}

    @app.route("/events", methods=["GET"])
    def listing(req, resp):
        resp.media = [{"id": 1}, {"id": 2}]

    return app


def test_ndjson_body_is_decoded_by_req_media(ndjson_app):
    response = ndjson_app.client.post(
        "/events",
        content=b'{"id": 1}\n{"id": 2}\n',
        headers={"content-type": "application/x-ndjson"},
    )
    assert response.json() == {"received": [{"id": 1}, {"id": 2}]}


def test_ndjson_malformed_body_is_400(ndjson_app):
    response = ndjson_app.client.post(
        "/events", content=b"{nope\n", headers={"content-type": "application/x-ndjson"}
    )
    assert response.status_code == 400


def test_ndjson_answers_a_client_that_accepts_it(ndjson_app):
    response = ndjson_app.client.get("/events", headers={"accept": "application/x-ndjson"})
    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.content == b'{"id":1}\n{"id":2}\n'


def test_ndjson_app_still_answers_json_by_default(ndjson_app):
    assert ndjson_app.client.get("/events").json() == [{"id": 1}, {"id": 2}]


def test_other_apps_do_not_read_ndjson():
    app = dyne.App()

    @app.route("/events", methods=["POST"])
    async def events(req, resp):
        resp.media = await req.media()

    response = app.client.post(
        "/events", content=b"{}\n", headers={"content-type": "application/x-ndjson"}
    )
    assert response.status_code == 415


def test_body_format_clashing_with_json_raises():
    from dyne.extension import BodyFormat, add_body_format

    with pytest.raises(ValueError, match="application/json"):
        add_body_format(dyne.App(), BodyFormat("myjson", ("application/json",), bytes))


# -- the docs theme ----------------------------------------------------------------------


def test_plain_theme_serves_its_page():
    import thirdparty_ext.theme  # noqa: F401  (registers the theme)

    app = dyne.App()
    OpenAPI(app, title="Shop", theme="plain")
    page = app.client.get("/docs").text
    assert "<h1>Shop</h1>" in page
    assert 'href="/openapi.json"' in page


def test_theme_name_taken_raises():
    from dyne.ext.openapi import Theme, add_theme

    with pytest.raises(ValueError, match="'redoc'"):
        add_theme(Theme("redoc", lambda title, url, links: ""))


# -- the auth backend --------------------------------------------------------------------


@pytest.fixture
def key_auth():
    auth = APIKeyAuth()

    @auth.verify_key
    def verify(key):
        return {"name": "robot"} if key == "s3cret" else None

    return auth


@pytest.fixture
def guarded_app(key_auth):
    basic = BasicAuth()

    @basic.verify_password
    def check(username, password):
        return {"name": username} if password == "pw" else None

    app = dyne.App()

    @app.route("/me")
    @authenticate(MultiAuth(basic, key_auth))
    def me(req, resp):
        resp.media = req.state.user

    return app


def test_api_key_backend_in_multiauth_admits_a_key(guarded_app):
    response = guarded_app.client.get("/me", headers={"X-API-Key": "s3cret"})
    assert response.json() == {"name": "robot"}


def test_api_key_backend_in_multiauth_refuses_a_wrong_key(guarded_app):
    assert guarded_app.client.get("/me", headers={"X-API-Key": "nope"}).status_code == 401


def test_multiauth_with_api_key_still_admits_basic(guarded_app):
    token = base64.b64encode(b"ann:pw").decode()
    response = guarded_app.client.get("/me", headers={"Authorization": f"Basic {token}"})
    assert response.json() == {"name": "ann"}


def test_api_key_backend_is_documented_in_openapi(key_auth):
    app = dyne.App()

    @app.route("/robots")
    @authenticate(key_auth)
    def robots(req, resp):
        resp.media = []

    spec = OpenAPI(app).spec
    assert spec["components"]["securitySchemes"]["apiKeyAuth"]["name"] == "X-API-Key"
    assert spec["paths"]["/robots"]["get"]["security"] == [{"apiKeyAuth": []}]


# -- a GraphQL engine ---------------------------------------------------------------------


def test_graphql_engine_of_its_own_is_served_by_graphqlview(tmp_path, monkeypatch):
    graphql = pytest.importorskip("graphql")
    from dyne.ext.graphql import GraphQLView
    from thirdparty_ext.graphql_engine import CoreSchema

    monkeypatch.chdir(tmp_path)
    query = graphql.GraphQLObjectType(
        "Query",
        {"hello": graphql.GraphQLField(graphql.GraphQLString, resolve=lambda *_: "world")},
    )
    app = dyne.App()
    schema = CoreSchema(graphql.GraphQLSchema(query))
    app.add_route("/graphql", GraphQLView(app=app, schema=schema))
    response = app.client.post("/graphql", json={"query": "{ hello }"})
    assert response.json() == {"data": {"hello": "world"}}
    assert app.extensions["graphql"] == "graphql-core"
