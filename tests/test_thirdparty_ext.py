"""The third-party package in tests/thirdparty_ext works with public imports only."""

# No `from __future__ import annotations`: msgspec reads the annotations of the Structs
# defined inside the tests below.
import ast
import base64
import datetime as dt
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


# -- the API-key backend with LoginManager routes -------------------------------------------


@pytest.fixture
def session_app(key_auth, tmp_path, monkeypatch):
    from dyne.ext.auth import LoginManager

    monkeypatch.chdir(tmp_path)
    app = dyne.App(secret_key="a-secret-key-long-enough-for-sessions")
    auth = LoginManager(app, login_url="/login")
    people = {"1": {"id": 1, "name": "ann"}}

    @auth.user_loader
    def load_user(user_id):
        return people.get(user_id)

    auth.request_loader(key_auth)  # scripts use an API key where browsers log in

    @app.route("/login", methods=["POST"])
    async def login(req, resp):
        await auth.login(req, resp, people["1"])
        resp.text = "in"

    @app.route("/reports")
    @auth.login_required
    def reports(req, resp):
        resp.media = {"user": req.state.user["name"]}

    return app


def test_api_key_reaches_a_login_required_view(session_app):
    response = session_app.client.get("/reports", headers={"X-API-Key": "s3cret"})
    assert response.json() == {"user": "robot"}


def test_login_required_view_still_admits_a_logged_in_browser(session_app):
    client = session_app.client
    client.post("/login")
    assert client.get("/reports").json() == {"user": "ann"}


def test_wrong_api_key_on_a_login_required_view_is_401_with_its_challenge(session_app):
    response = session_app.client.get(
        "/reports", headers={"X-API-Key": "nope"}, follow_redirects=False
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("APIKey")


def test_login_required_view_documents_the_api_key_scheme(session_app):
    operation = OpenAPI(session_app).spec["paths"]["/reports"]["get"]
    assert {"apiKeyAuth": []} in operation["security"]


# -- MessagePack -----------------------------------------------------------------------------


@pytest.fixture
def msgpack_app():
    pytest.importorskip("msgspec")
    from thirdparty_ext.formats import install_msgpack

    app = dyne.App()
    install_msgpack(app)

    @app.route("/events", methods=["GET", "POST"])
    async def events(req, resp):
        if req.method == "POST":
            resp.media = {"received": await req.media()}
        else:
            resp.media = [{"id": 1, "on": dt.date(2026, 1, 2)}]

    return app


def test_msgpack_body_is_decoded_by_req_media(msgpack_app):
    import msgspec

    body = msgspec.msgpack.encode([{"id": 1, "tags": ["a"]}])
    response = msgpack_app.client.post(
        "/events", content=body, headers={"content-type": "application/msgpack"}
    )
    assert response.json() == {"received": [{"id": 1, "tags": ["a"]}]}


def test_msgpack_answers_a_client_that_accepts_it(msgpack_app):
    import msgspec

    response = msgpack_app.client.get("/events", headers={"accept": "application/msgpack"})
    assert response.headers["content-type"] == "application/msgpack"
    assert msgspec.msgpack.decode(response.content) == [{"id": 1, "on": "2026-01-02"}]


def test_msgpack_app_still_answers_json_by_default(msgpack_app):
    assert msgpack_app.client.get("/events").json() == [{"id": 1, "on": "2026-01-02"}]


@pytest.mark.parametrize(
    "body",
    [
        b"\xc1",  # a byte MessagePack never uses
        b"\x92\x01",  # an array of two, cut off after one
        b"\xdd\xff\xff\xff\xff",  # claims four billion items, sends none
        b"\x01\x02",  # trailing bytes
        b"\x91" * 100_000 + b"\xc0",  # nested past any sane depth
        b"\x81\x01\x02",  # a map key that is not a string
        b"\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00",  # NaN
        b"\xc4\x01x",  # binary: JSON has no bytes
        b"\xd4\x01\x00",  # an extension type
        b"",
    ],
    ids=[
        *("reserved", "truncated", "huge-count", "trailing", "deep"),
        *("int-key", "nan", "bin", "ext", "empty"),
    ],
)
def test_malformed_msgpack_body_is_400(msgpack_app, body):
    response = msgpack_app.client.post(
        "/events", content=body, headers={"content-type": "application/msgpack"}
    )
    assert response.status_code == 400
    assert "msgpack" in response.text


def test_msgpack_body_feeds_the_msgspec_input(msgpack_app):
    import msgspec

    from thirdparty_ext.msgspec_io import input

    class Event(msgspec.Struct):
        id: int
        name: str

    @msgpack_app.route("/typed", methods=["POST"])
    @input(Event)
    async def typed(req, resp, *, data):
        resp.media = {"name": data.name}

    client = msgpack_app.client
    headers = {"content-type": "application/msgpack"}
    good = msgspec.msgpack.encode({"id": 1, "name": "launch"})
    assert client.post("/typed", content=good, headers=headers).json() == {"name": "launch"}
    bad = msgspec.msgpack.encode({"id": "one", "name": "launch"})
    response = client.post("/typed", content=bad, headers=headers)
    assert (response.status_code, list(response.json()["errors"])) == (400, ["id"])


# -- the msgspec validation adapter (the shared io suite runs it too: tests/ext/io) --------


def test_msgspec_adapter_is_described_in_openapi():
    msgspec = pytest.importorskip("msgspec")
    from thirdparty_ext.msgspec_io import input, output

    class Author(msgspec.Struct):
        name: str

    class Book(msgspec.Struct):
        title: str
        author: Author

    class Page(msgspec.Struct):
        page: int = 1

    app = dyne.App()

    @app.route("/books", methods=["POST"])
    @input(Page, location="query")
    @input(Book)
    @output(Book, status_code=201)
    async def create(req, resp, *, data, query):
        resp.obj = data

    spec = OpenAPI(app).spec
    operation = spec["paths"]["/books"]["post"]
    assert operation["parameters"][0]["name"] == "page"
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Book"}
    book = spec["components"]["schemas"]["Book"]
    assert book["properties"]["author"] == {"$ref": "#/components/schemas/Author"}
    assert "201" in operation["responses"]


def test_msgspec_adapter_refuses_a_field_type_it_cannot_read():
    msgspec = pytest.importorskip("msgspec")
    from thirdparty_ext.msgspec_io import input

    class Point:
        pass

    class Shape(msgspec.Struct):
        origin: Point

    with pytest.raises(TypeError, match=r"cannot validate by itself \(Point\)"):
        input(Shape)


def test_msgspec_upload_is_documented_as_binary():
    msgspec = pytest.importorskip("msgspec")
    from thirdparty_ext.msgspec_io import FileField, input

    Image = FileField(allowed_extensions={"png"})

    class Upload(msgspec.Struct):
        image: Image

    app = dyne.App()

    @app.route("/upload", methods=["POST"])
    @input(Upload, location="form")
    async def upload(req, resp, *, data):
        resp.media = {}

    spec = OpenAPI(app).spec
    content = spec["paths"]["/upload"]["post"]["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    schema = spec["components"]["schemas"]["Upload"]
    assert schema["properties"]["image"] == {"type": "string", "format": "binary"}
