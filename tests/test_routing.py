"""Routing: paths, converters, methods, class views, url_for and registration errors."""

from __future__ import annotations

import uuid

import pytest

from dyne.routing import RouteError


def test_route_plain_path_answers(app, client):
    @app.route("/")
    def home(req, resp):
        resp.text = "home"

    assert client.get("/").text == "home"


def test_route_str_param_is_passed_as_keyword(app, client):
    @app.route("/hello/{who}")
    async def hello(req, resp, *, who):
        resp.text = f"hi {who}"

    assert client.get("/hello/ann").text == "hi ann"


@pytest.mark.parametrize(
    ("pattern", "url", "expected"),
    [
        ("/items/{id:int}", "/items/42", 42),
        ("/price/{value:float}", "/price/2.5", 2.5),
        ("/files/{rest:path}", "/files/a/b/c.txt", "a/b/c.txt"),
        (
            "/things/{key:uuid}",
            "/things/12345678-1234-5678-1234-567812345678",
            uuid.UUID("12345678-1234-5678-1234-567812345678"),
        ),
    ],
)
def test_route_converter_gives_typed_value(app, client, pattern, url, expected):
    seen = {}

    @app.route(pattern)
    async def view(req, resp, **params):
        seen.update(params)
        resp.text = "ok"

    assert client.get(url).status_code == 200
    assert next(iter(seen.values())) == expected
    assert type(next(iter(seen.values()))) is type(expected)


def test_route_int_converter_rejects_letters_with_404(app, client):
    @app.route("/items/{id:int}")
    async def item(req, resp, id):
        resp.media = {"id": id}

    assert client.get("/items/abc").status_code == 404


def test_route_param_inside_segment(app, client):
    @app.route("/report-{year:int}.csv")
    async def report(req, resp, year):
        resp.text = str(year + 1)

    assert client.get("/report-2024.csv").text == "2025"


def test_route_path_param_followed_by_literal(app, client):
    @app.route("/repo/{name:path}/raw")
    async def raw(req, resp, name):
        resp.text = name

    assert client.get("/repo/a/b/raw").text == "a/b"


def test_route_static_path_wins_over_param(app, client):
    @app.route("/users/{name}")
    async def user(req, resp, name):
        resp.text = "param"

    @app.route("/users/me")
    async def me(req, resp):
        resp.text = "static"

    assert client.get("/users/me").text == "static"
    assert client.get("/users/bob").text == "param"


def test_route_dotdot_param_never_matches(app, client):
    @app.route("/files/{name}")
    async def file(req, resp, name):
        resp.text = name

    assert client.get("/files/%2E%2E").status_code == 404


def test_route_encoded_slash_stays_out_of_str_param(app, client):
    @app.route("/files/{name}")
    async def file(req, resp, name):
        resp.text = name

    assert client.get("/files/a%2Fb").status_code == 404


def test_route_path_param_refuses_parent_segments(app, client):
    @app.route("/static/{rest:path}")
    async def static(req, resp, rest):
        resp.text = rest

    assert client.get("/static/a/%2E%2E/secret").status_code == 404


def test_route_unmatched_path_is_404_not_found(app, client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.text == "Not Found"


def test_route_wrong_method_is_405_with_allow_header(app, client):
    @app.route("/things", methods=["GET", "POST"])
    async def things(req, resp):
        resp.text = "ok"

    response = client.delete("/things")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, OPTIONS, POST"


def test_route_methods_default_to_get(app, client):
    @app.route("/only-get")
    async def only_get(req, resp):
        resp.text = "ok"

    assert client.post("/only-get").status_code == 405


def test_route_head_is_answered_for_get_without_body(app, client):
    @app.route("/page")
    async def page(req, resp):
        resp.text = "body"

    response = client.head("/page")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == "4"


def test_route_same_path_two_methods_two_views(app, client):
    @app.route("/users")
    async def list_users(req, resp):
        resp.text = "list"

    @app.route("/users", methods=["POST"])
    async def create_user(req, resp):
        resp.text = "create"

    assert client.get("/users").text == "list"
    assert client.post("/users").text == "create"


def test_route_duplicate_path_and_method_raises(app):
    @app.route("/dup")
    async def first(req, resp):
        pass

    with pytest.raises(RouteError, match="already handled by first"):

        @app.route("/dup")
        async def second(req, resp):
            pass


def test_route_unknown_converter_raises_with_choices(app):
    with pytest.raises(
        RouteError, match=r"Unknown path converter 'intt'.*int, float, str, path, uuid"
    ):

        @app.route("/items/{id:intt}")
        async def item(req, resp, id):
            pass


def test_route_malformed_braces_raise(app):
    with pytest.raises(RouteError, match="Malformed parameter"):
        app.add_route("/items/{id", lambda req, resp: None)


def test_route_path_must_start_with_slash(app):
    with pytest.raises(RouteError, match="must start with '/'"):
        app.add_route("items", lambda req, resp: None)


def test_route_sync_view_runs_in_worker_thread(app, client):
    import threading

    main = threading.get_ident()

    @app.route("/thread")
    def view(req, resp):
        resp.media = {"same": threading.get_ident() == main}

    assert client.get("/thread").json() == {"same": False}


def test_class_view_dispatches_by_method(app, client):
    @app.route("/greeting", methods=["GET", "POST"])
    class Greeting:
        def on_get(self, req, resp):
            resp.text = "get"

        async def on_post(self, req, resp):
            resp.text = "post"

    assert client.get("/greeting").text == "get"
    assert client.post("/greeting").text == "post"


def test_class_view_without_handler_for_method_is_405(app, client):
    @app.route("/only")
    class Only:
        def on_get(self, req, resp):
            resp.text = "get"

    assert client.put("/only").status_code == 405


def test_class_view_on_request_runs_before_method_handler(app, client):
    @app.route("/both", methods=["GET", "PUT"])
    class Both:
        def on_request(self, req, resp):
            resp.headers["X-Seen"] = "yes"

        def on_put(self, req, resp):
            resp.text = "put"

    response = client.put("/both")
    assert response.text == "put"
    assert response.headers["x-seen"] == "yes"


def test_class_view_receives_path_params(app, client):
    @app.route("/book/{id:int}")
    class Book:
        async def on_get(self, req, resp, id):
            resp.media = {"id": id}

    assert client.get("/book/7").json() == {"id": 7}


def test_class_view_without_any_handler_raises(app):
    with pytest.raises(RouteError, match="has no on_get"):

        @app.route("/empty")
        class Empty:
            pass


def test_url_for_builds_path_from_view(app):
    @app.route("/items/{id:int}")
    async def item(req, resp, id):
        pass

    assert app.url_for(item, id=3) == "/items/3"


def test_url_for_accepts_route_name(app):
    @app.route("/users/{name}", name="user-page")
    async def user(req, resp, name):
        pass

    assert app.url_for("user-page", name="a b") == "/users/a%20b"


def test_url_for_extra_params_become_query(app):
    @app.route("/search")
    async def search(req, resp):
        pass

    assert app.url_for(search, q="dyne") == "/search?q=dyne"


def test_url_for_missing_param_says_which(app):
    @app.route("/items/{id:int}")
    async def item(req, resp, id):
        pass

    with pytest.raises(RouteError, match="missing the path parameter 'id'"):
        app.url_for(item)


def test_url_for_unknown_view_raises(app):
    with pytest.raises(RouteError, match="No route is registered"):
        app.url_for("nothing")


def test_route_thousand_routes_dispatch_to_the_right_one(app, client):
    for index in range(1000):

        async def view(req, resp, id, _index=index):
            resp.media = {"route": _index, "id": id}

        app.add_route(f"/r{index}/items/{{id:int}}", view, name=f"r{index}")

    assert client.get("/r999/items/5").json() == {"route": 999, "id": 5}
    assert client.get("/r0/items/1").json() == {"route": 0, "id": 1}


def test_mount_serves_asgi_app_under_prefix(app, client):
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def inner(request):
        return PlainTextResponse(f"inner {request.url.path} root={request.scope['root_path']}")

    app.mount("/sub", Starlette(routes=[Route("/page", inner)]))
    assert client.get("/sub/page").text == "inner /sub/page root=/sub"


def test_mount_serves_wsgi_app(app, client):
    def wsgi(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [f"wsgi {environ['PATH_INFO']}".encode()]

    app.mount("/legacy", wsgi)
    assert client.get("/legacy/x").text == "wsgi /x"


def test_route_view_object_methods_attribute_sets_methods(app, client):
    class Endpoint:
        methods = ("GET", "POST")

        async def __call__(self, req, resp):
            resp.text = req.method

    app.add_route("/obj", Endpoint())
    assert client.post("/obj").text == "POST"
    assert client.put("/obj").status_code == 405


# -- the converter table: built-in ones read-only, an app's own per app ------------------------


def test_builtin_converter_table_cannot_be_changed():
    from dyne.routing import CONVERTERS, Converter

    with pytest.raises(TypeError):
        CONVERTERS["slug"] = Converter(r"[a-z-]+", str)  # type: ignore[index]
    assert "slug" not in CONVERTERS


def test_two_apps_keep_their_own_converter_of_one_name():
    import dyne
    from dyne.extension import Converter, add_path_converter

    letters, digits = dyne.App(), dyne.App()
    add_path_converter(letters, "x", Converter(r"[a-z]+", str.upper))
    add_path_converter(digits, "x", Converter(r"[0-9]+", int))
    for app in (letters, digits):

        @app.route("/v/{value:x}")
        def view(req, resp, value):
            resp.media = {"value": value}

    assert letters.client.get("/v/abc").json() == {"value": "ABC"}
    assert letters.client.get("/v/123").status_code == 404
    assert digits.client.get("/v/123").json() == {"value": 123}
    assert digits.client.get("/v/abc").status_code == 404


def _dotted_app():
    import dyne
    from dyne.extension import Converter, add_path_converter

    # "a/b/c" in the URL, ("a", "b", "c") in the view, and back again for url_for.
    dotted = Converter(
        r"[a-z]+(?:/[a-z]+)*",
        lambda raw: tuple(raw.split("/")),
        "/".join,
        matches_slash=True,
    )
    app = dyne.App()
    add_path_converter(app, "parts", dotted)

    @app.route("/tree/{node:parts}/info")
    def node(req, resp, node):
        resp.media = {"node": list(node)}

    return app


def test_custom_converter_spanning_slashes_matches_several_segments():
    app = _dotted_app()
    assert app.client.get("/tree/a/b/c/info").json() == {"node": ["a", "b", "c"]}
    assert app.client.get("/tree/a/B/info").status_code == 404


def test_custom_converter_spanning_slashes_writes_urls_with_slashes():
    assert _dotted_app().url_for("node", node=("a", "b")) == "/tree/a/b/info"


def test_custom_converter_with_str_regex_splits_a_segment_like_str():
    import dyne
    from dyne.extension import Converter, add_path_converter

    app = dyne.App()
    add_path_converter(app, "upper", Converter(r"[^/]+", str.upper))

    @app.route("/pair/{a:upper}-{b}")
    def pair(req, resp, a, b):
        resp.media = [a, b]

    assert app.client.get("/pair/x-y-z").json() == ["X-Y", "z"]
