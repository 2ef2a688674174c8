"""Blueprints: prefixes, nesting, names, scoped hooks and error handlers, WebSockets, mounts,
reuse across apps and clashes, all through ``app.client``."""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect

import dyne
from dyne import Blueprint, abort
from dyne.routing import RouteError


def _items() -> Blueprint:
    bp = Blueprint("items", prefix="/items")

    @bp.route("")
    async def index(req, resp):
        resp.text = "all items"

    @bp.route("/{item_id:int}")
    async def show(req, resp, *, item_id):
        resp.media = {"item": item_id}

    return bp


# -- prefixes and names ------------------------------------------------------------------


def test_blueprint_prefix_is_joined_to_each_route(app, client):
    app.include(_items())
    assert client.get("/items/7").json() == {"item": 7}


def test_blueprint_empty_path_is_the_prefix_itself(app, client):
    app.include(_items())
    assert client.get("/items").text == "all items"


def test_blueprint_include_prefix_goes_before_the_blueprint_prefix(app, client):
    app.include(_items(), prefix="/api/v1")
    assert client.get("/api/v1/items/3").json() == {"item": 3}
    assert client.get("/items/3").status_code == 404


def test_blueprint_without_prefix_serves_its_paths_as_written(app, client):
    bp = Blueprint("pages")

    @bp.route("/about")
    def about(req, resp):
        resp.text = "about"

    app.include(bp)
    assert client.get("/about").text == "about"


def test_blueprint_url_for_takes_the_dotted_name(app):
    app.include(_items(), prefix="/api")
    assert app.url_for("items.show", item_id=5) == "/api/items/5"


def test_blueprint_url_for_takes_the_view_function(app):
    bp = Blueprint("shop", prefix="/shop")

    @bp.route("/cart")
    async def cart(req, resp):
        resp.text = "cart"

    app.include(bp)
    assert app.url_for(cart) == "/shop/cart"


def test_blueprint_route_name_option_is_qualified(app):
    bp = Blueprint("shop", prefix="/shop")

    @bp.route("/cart", name="basket")
    async def cart(req, resp):
        resp.text = "cart"

    app.include(bp)
    assert app.url_for("shop.basket") == "/shop/cart"


def test_blueprint_class_view_is_served_and_named(app, client):
    bp = Blueprint("things", prefix="/things")

    @bp.route("/one", methods=["GET", "POST"])
    class Thing:
        async def on_get(self, req, resp):
            resp.text = "got"

        async def on_post(self, req, resp):
            resp.text = "posted"

    app.include(bp)
    assert client.get("/things/one").text == "got"
    assert client.post("/things/one").text == "posted"
    assert app.url_for("things.Thing") == "/things/one"
    assert app.url_for(Thing) == "/things/one"


def test_blueprint_sync_view_runs(app, client):
    bp = Blueprint("sync", prefix="/sync")

    @bp.route("/")
    def view(req, resp):
        return {"sync": True}

    app.include(bp)
    assert client.get("/sync/").json() == {"sync": True}


def test_blueprint_add_route_registers_like_the_decorator(app, client):
    bp = Blueprint("plain", prefix="/plain")

    async def view(req, resp):
        resp.text = "plain"

    bp.add_route("/x", view, methods=["PUT"])
    app.include(bp)
    assert client.put("/plain/x").text == "plain"
    assert client.get("/plain/x").status_code == 405


# -- nesting -----------------------------------------------------------------------------


def _nested() -> tuple[Blueprint, Blueprint]:
    api = Blueprint("api", prefix="/api")
    users = Blueprint("users", prefix="/users")

    @users.route("/{name}")
    async def profile(req, resp, *, name):
        resp.media = {"user": name}

    api.include(users)
    return api, users


def test_blueprint_nested_paths_join_every_prefix(app, client):
    api, _ = _nested()
    app.include(api, prefix="/v2")
    assert client.get("/v2/api/users/ada").json() == {"user": "ada"}


def test_blueprint_nested_names_are_parent_dot_child_dot_view(app):
    api, _ = _nested()
    app.include(api)
    assert app.url_for("api.users.profile", name="ada") == "/api/users/ada"


def test_blueprint_nested_include_prefix_goes_between(app, client):
    api = Blueprint("api", prefix="/api")
    child = Blueprint("child")

    @child.route("/x")
    async def x(req, resp):
        resp.text = "x"

    api.include(child, prefix="/mid")
    app.include(api)
    assert client.get("/api/mid/x").text == "x"


def test_blueprint_child_routes_added_after_nesting_are_included(app, client):
    api = Blueprint("api", prefix="/api")
    child = Blueprint("child", prefix="/c")
    api.include(child)

    @child.route("/late")
    async def late(req, resp):
        resp.text = "late"

    app.include(api)
    assert client.get("/api/c/late").text == "late"


def test_blueprint_cannot_contain_itself():
    outer = Blueprint("outer")
    inner = Blueprint("inner")
    outer.include(inner)
    with pytest.raises(RouteError, match="cycle"):
        inner.include(outer)


# -- before_request hooks ----------------------------------------------------------------


def test_blueprint_hook_runs_for_its_routes_only(app, client):
    bp = Blueprint("admin", prefix="/admin")

    @bp.before_request()
    async def mark(req, resp):
        resp.headers["X-Area"] = "admin"

    @bp.route("/")
    async def home(req, resp):
        resp.text = "admin"

    @app.route("/")
    async def public(req, resp):
        resp.text = "public"

    app.include(bp)
    assert client.get("/admin/").headers["x-area"] == "admin"
    assert "x-area" not in client.get("/").headers


def test_blueprint_hook_runs_after_the_app_hooks(app, client):
    order: list[str] = []
    bp = Blueprint("admin", prefix="/admin")

    @app.before_request()
    async def app_hook(req, resp):
        order.append("app")

    @bp.before_request()
    def bp_hook(req, resp):
        order.append("blueprint")

    @bp.route("/")
    async def home(req, resp):
        order.append("view")

    app.include(bp)
    client.get("/admin/")
    assert order == ["app", "blueprint", "view"]


def test_blueprint_hook_that_refuses_ends_the_request(app, client):
    ran: list[str] = []
    bp = Blueprint("closed", prefix="/closed")

    @bp.before_request()
    async def refuse(req, resp):
        resp.status_code = 403
        resp.text = "closed"

    @bp.route("/", methods=["POST"])
    async def write(req, resp):
        ran.append("write")

    app.include(bp)
    answer = client.post("/closed/")
    assert (answer.status_code, answer.text) == (403, "closed")
    assert ran == []


def test_blueprint_hook_that_refuses_stops_a_class_views_handlers(app, client):
    ran: list[str] = []
    bp = Blueprint("closed", prefix="/closed")

    @bp.before_request()
    async def refuse(req, resp):
        resp.status_code = 401

    @bp.route("/", methods=["GET", "POST"])
    class View:
        async def on_request(self, req, resp):
            ran.append("on_request")

        async def on_post(self, req, resp):
            ran.append("on_post")

    app.include(bp)
    assert client.post("/closed/").status_code == 401
    assert ran == []


def test_blueprint_hook_runs_once_for_a_class_view(app, client):
    calls: list[str] = []
    bp = Blueprint("counted", prefix="/counted")

    @bp.before_request()
    async def count(req, resp):
        calls.append(req.method)

    @bp.route("/")
    class View:
        async def on_get(self, req, resp):
            resp.text = "ok"

    app.include(bp)
    assert client.get("/counted/").text == "ok"
    assert calls == ["GET"]


def test_blueprint_parent_hooks_run_before_child_hooks(app, client):
    order: list[str] = []
    parent = Blueprint("parent", prefix="/p")
    child = Blueprint("child", prefix="/c")

    @parent.before_request()
    async def outer(req, resp):
        order.append("parent")

    @child.before_request()
    async def inner(req, resp):
        order.append("child")

    @child.route("/")
    async def view(req, resp):
        order.append("view")

    parent.include(child)
    app.include(parent)
    client.get("/p/c/")
    assert order == ["parent", "child", "view"]


def test_blueprint_route_before_request_option_registers_a_hook(app, client):
    bp = Blueprint("tour", prefix="/tour")

    @bp.route(before_request=True)
    def prepare(req, resp):
        resp.headers["X-Pizza"] = "42"

    @bp.route("/")
    async def view(req, resp):
        resp.text = "tour"

    app.include(bp)
    assert client.get("/tour/").headers["x-pizza"] == "42"


# -- error handlers ----------------------------------------------------------------------


class Conflict(Exception):
    pass


def _with_handlers(app: dyne.App) -> Blueprint:
    bp = Blueprint("api", prefix="/api")

    @bp.error_handler(Conflict)
    async def conflict(req, resp, exc):
        resp.status_code = 409
        resp.media = {"error": "blueprint"}

    @bp.route("/clash")
    async def clash(req, resp):
        raise Conflict()

    @app.error_handler(Conflict)
    async def app_conflict(req, resp, exc):
        resp.status_code = 409
        resp.media = {"error": "app"}

    @app.route("/clash")
    async def app_clash(req, resp):
        raise Conflict()

    app.include(bp)
    return bp


def test_blueprint_error_handler_wins_for_its_routes(app, client):
    _with_handlers(app)
    answer = client.get("/api/clash")
    assert (answer.status_code, answer.json()) == (409, {"error": "blueprint"})


def test_blueprint_error_handler_does_not_touch_other_routes(app, client):
    _with_handlers(app)
    assert client.get("/clash").json() == {"error": "app"}


def test_blueprint_status_handler_takes_an_abort_in_its_route(app, client):
    bp = Blueprint("api", prefix="/api")

    @bp.error_handler(404)
    async def missing(req, resp, exc):
        resp.media = {"missing": "in the api"}

    @bp.route("/things/{name}")
    async def thing(req, resp, *, name):
        abort(404)

    app.include(bp)
    answer = client.get("/api/things/x")
    assert (answer.status_code, answer.json()) == (404, {"missing": "in the api"})


def test_blueprint_status_handler_leaves_unmatched_paths_to_the_app(app, client):
    bp = Blueprint("api", prefix="/api")

    @bp.error_handler(404)
    async def missing(req, resp, exc):
        resp.text = "blueprint 404"

    @bp.route("/x")
    async def x(req, resp):
        resp.text = "x"

    app.include(bp)
    assert client.get("/api/nothing-here").text == "Not Found"


def test_blueprint_exception_without_its_handler_reaches_the_app_handler(app, client):
    bp = Blueprint("api", prefix="/api")

    @bp.error_handler(KeyError)
    async def key_error(req, resp, exc):
        resp.text = "blueprint"

    @bp.route("/x")
    async def x(req, resp):
        raise Conflict()

    @app.error_handler(Conflict)
    async def app_conflict(req, resp, exc):
        resp.status_code = 409
        resp.text = "app"

    app.include(bp)
    assert client.get("/api/x").text == "app"


def test_blueprint_child_error_handler_wins_over_the_parent(app, client):
    parent = Blueprint("parent", prefix="/p")
    child = Blueprint("child", prefix="/c")

    @parent.error_handler(Conflict)
    async def outer(req, resp, exc):
        resp.text = "parent"

    @child.error_handler(Exception)
    async def inner(req, resp, exc):
        resp.text = "child"

    @child.route("/")
    async def view(req, resp):
        raise Conflict()

    @parent.route("/")
    async def parent_view(req, resp):
        raise Conflict()

    parent.include(child)
    app.include(parent)
    assert client.get("/p/c/").text == "child"
    assert client.get("/p/").text == "parent"


def test_blueprint_error_handler_takes_exceptions_from_its_hooks(app, client):
    bp = Blueprint("api", prefix="/api")

    @bp.before_request()
    async def hook(req, resp):
        raise Conflict()

    @bp.error_handler(Conflict)
    async def conflict(req, resp, exc):
        resp.status_code = 409
        resp.text = "from the hook"

    @bp.route("/")
    async def view(req, resp):
        resp.text = "view"

    app.include(bp)
    assert client.get("/api/").text == "from the hook"


def test_blueprint_error_handler_takes_exceptions_from_class_views(app, client):
    bp = Blueprint("api", prefix="/api")

    @bp.error_handler(Conflict)
    async def conflict(req, resp, exc):
        resp.status_code = 409
        resp.text = "handled"

    @bp.route("/", methods=["GET", "POST"])
    class View:
        def on_request(self, req, resp):
            pass

        def on_post(self, req, resp):
            raise Conflict()

    app.include(bp)
    assert client.post("/api/").text == "handled"


# -- WebSockets and mounts ---------------------------------------------------------------


def test_blueprint_websocket_route_gets_the_prefix(app, client):
    bp = Blueprint("live", prefix="/live")

    @bp.route("/echo", websocket=True)
    async def echo(ws):
        await ws.accept()
        await ws.send_text(await ws.receive_text())
        await ws.close()

    app.include(bp)
    with client.websocket_connect("/live/echo") as ws:
        ws.send_text("hi")
        assert ws.receive_text() == "hi"
    assert app.url_for("live.echo") == "/live/echo"


def test_blueprint_websocket_hook_runs_only_for_its_websockets(app, client):
    seen: list[str] = []
    bp = Blueprint("live", prefix="/live")

    @bp.before_request(websocket=True)
    async def hook(ws):
        seen.append(ws.url.path)

    @bp.route("/a", websocket=True)
    async def a(ws):
        await ws.accept()
        await ws.close()

    @app.route("/b", websocket=True)
    async def b(ws):
        await ws.accept()
        await ws.close()

    app.include(bp)
    for path in ("/live/a", "/b"):
        with client.websocket_connect(path) as ws, pytest.raises(WebSocketDisconnect):
            ws.receive_text()
    assert seen == ["/live/a"]


def test_blueprint_websocket_hook_that_closes_stops_the_view(app, client):
    ran: list[str] = []
    bp = Blueprint("live", prefix="/live")

    @bp.before_request(websocket=True)
    async def refuse(ws):
        await ws.close(code=1008)

    @bp.route("/a", websocket=True)
    async def a(ws):
        ran.append("view")
        await ws.accept()

    app.include(bp)
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/live/a"):
        pass
    assert ran == []


def test_blueprint_mount_goes_below_the_prefix(app, client):
    inner = dyne.App(static_dir=None)

    @inner.route("/")
    async def hello(req, resp):
        resp.text = "mounted"

    bp = Blueprint("ext", prefix="/ext")
    bp.mount("/inner", inner)
    app.include(bp)
    assert client.get("/ext/inner/").text == "mounted"


# -- reuse and clashes -------------------------------------------------------------------


def test_blueprint_serves_two_apps(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bp = _items()
    first, second = dyne.App(), dyne.App()
    first.include(bp)
    second.include(bp, prefix="/other")
    try:
        assert first.client.get("/items/1").json() == {"item": 1}
        assert second.client.get("/other/items/2").json() == {"item": 2}
    finally:
        first.client.close()
        second.client.close()


def test_blueprint_route_clash_with_app_route_names_both(app):
    @app.route("/items/{item_id:int}")
    async def existing(req, resp, *, item_id):
        pass

    with pytest.raises(RouteError, match=r"existing.*items\.show"):
        app.include(_items())


def test_blueprint_route_clash_between_blueprints_names_both(app):
    one, two = Blueprint("one"), Blueprint("two")

    @one.route("/same")
    async def first(req, resp):
        pass

    @two.route("/same")
    async def second(req, resp):
        pass

    app.include(one)
    with pytest.raises(RouteError, match=r"one\.first.*two\.second"):
        app.include(two)


def test_blueprint_included_twice_in_one_app_raises(app):
    bp = _items()
    app.include(bp)
    with pytest.raises(RouteError, match="included once per app"):
        app.include(bp, prefix="/again")


def test_blueprint_name_used_by_two_views_raises(app):
    bp = Blueprint("dup")

    @bp.route("/a", name="same")
    async def a(req, resp):
        pass

    @bp.route("/b", name="same")
    async def b(req, resp):
        pass

    with pytest.raises(RouteError, match=r"'dup\.same' is used by two views"):
        app.include(bp)


def test_blueprint_same_view_at_two_paths_is_allowed(app, client):
    bp = Blueprint("twice")

    async def view(req, resp):
        resp.text = req.url.path

    bp.add_route("/a", view)
    bp.add_route("/b", view)
    app.include(bp)
    assert client.get("/b").text == "/b"
    assert app.url_for("twice.view") == "/a"


def test_blueprint_refuses_routes_after_it_was_included(app):
    bp = _items()
    app.include(bp)
    with pytest.raises(RuntimeError, match="already included"):

        @bp.route("/late")
        async def late(req, resp):
            pass


def test_blueprint_child_refuses_routes_after_its_parent_was_included(app):
    api, users = _nested()
    app.include(api)
    with pytest.raises(RuntimeError, match="'users' is already included"):
        users.add_route("/late", lambda req, resp: None)


def test_blueprint_name_with_a_dot_is_refused():
    with pytest.raises(ValueError, match=r"without '\.'"):
        Blueprint("admin.users")


def test_blueprint_prefix_without_slash_is_refused():
    with pytest.raises(RouteError, match="start with '/'"):
        Blueprint("admin", prefix="admin")


def test_blueprint_include_refuses_something_else(app):
    with pytest.raises(TypeError, match=r"dyne\.Blueprint"):
        app.include(object())


def test_blueprint_route_empty_path_without_prefix_is_refused(app):
    bp = Blueprint("bare")
    bp.add_route("", lambda req, resp: None)
    with pytest.raises(RouteError, match="empty path"):
        app.include(bp)


# -- conveniences ------------------------------------------------------------------------


def test_app_before_request_decorator_runs_before_every_request(app, client):
    @app.before_request()
    def hook(req, resp):
        resp.headers["X-Hook"] = "yes"

    assert client.get("/nowhere").headers["x-hook"] == "yes"


def test_app_before_request_bare_decorator_works(app, client):
    @app.before_request
    async def hook(req, resp):
        resp.headers["X-Hook"] = "bare"

    assert client.get("/nowhere").headers["x-hook"] == "bare"


def test_app_before_request_websocket_decorator_runs_before_websockets(app, client):
    @app.before_request(websocket=True)
    async def hook(ws):
        await ws.accept()

    @app.route("/ws", websocket=True)
    async def view(ws):
        await ws.send_text("accepted by the hook")
        await ws.close()

    with client.websocket_connect("/ws") as ws:
        assert ws.receive_text() == "accepted by the hook"


def test_app_route_before_request_websocket_tour_form_still_works(app, client):
    @app.route(before_request=True, websocket=True)
    async def prepare(ws):
        await ws.accept()

    @app.route("/ws", websocket=True)
    async def view(ws):
        await ws.send_text("tour")
        await ws.close()

    with client.websocket_connect("/ws") as ws:
        assert ws.receive_text() == "tour"


def test_config_environ_mapping_replaces_the_process_environment(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GREETING", "from os.environ")
    config = dyne.App(environ={"GREETING": "injected"}).config
    assert config.get("GREETING") == "injected"


def test_config_environ_mapping_hides_the_process_environment(monkeypatch, tmp_path):
    from dyne.config import Config

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ONLY_IN_OS", "x")
    assert Config(environ={}).get("ONLY_IN_OS") is None


def test_config_environ_keeps_the_prefix(tmp_path, monkeypatch):
    from dyne.config import Config

    monkeypatch.chdir(tmp_path)
    config = Config(environ={"DYNE_PORT": "8080"}, env_prefix="DYNE_")
    assert config.get("PORT", cast=int) == 8080


def test_app_environ_sets_debug_and_secret_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(environ={"DEBUG": "true", "SECRET_KEY": "k" * 32})
    assert (app.debug, app.secret_key) == (True, "k" * 32)


def test_app_static_route_none_serves_no_static_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "a.txt").write_text("file")
    app = dyne.App(static_route=None)

    @app.route("/")
    async def home(req, resp):
        resp.text = "home"

    try:
        assert app.client.get("/").text == "home"
        assert app.client.get("/static/a.txt").status_code == 404
    finally:
        app.client.close()


def test_app_static_route_none_still_serves_the_single_page_app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "index.html").write_text("<p>spa</p>")
    app = dyne.App(static_route=None)
    app.add_route("/", static=True)
    try:
        assert app.client.get("/deep/link").text == "<p>spa</p>"
    finally:
        app.client.close()


def test_app_test_client_uses_the_base_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(allowed_hosts=["api.example.com"])

    @app.route("/where")
    async def where(req, resp):
        resp.media = {"url": str(req.url)}

    with app.test_client(base_url="https://api.example.com") as client:
        assert client.get("/where").json() == {"url": "https://api.example.com/where"}


def test_app_test_client_other_host_is_refused_by_allowed_hosts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(allowed_hosts=["api.example.com"])
    with app.test_client(base_url="http://evil.example.org") as client:
        assert client.get("/").status_code == 400


def test_app_test_client_runs_startup_in_a_with_block(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App()
    started: list[str] = []
    app.on_event("startup", lambda: started.append("up"))
    with app.test_client(base_url="http://testserver"):
        assert started == ["up"]


def test_blueprint_error_handler_answers_in_debug_mode_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(debug=True)
    bp = Blueprint("api", prefix="/api")

    @bp.error_handler(Conflict)
    async def conflict(req, resp, exc):
        resp.status_code = 409
        resp.text = "handled"

    @bp.route("/")
    async def view(req, resp):
        raise Conflict()

    app.include(bp)
    try:
        assert app.client.get("/api/").status_code == 409
    finally:
        app.client.close()


def test_blueprint_unhandled_exception_is_a_500_for_the_app_to_answer(app):
    bp = Blueprint("api", prefix="/api")

    @bp.error_handler(KeyError)
    async def key_error(req, resp, exc):
        resp.text = "not this one"

    @bp.route("/")
    async def view(req, resp):
        raise Conflict()

    app.include(bp)
    with app.test_client(raise_server_exceptions=False) as client:
        answer = client.get("/api/")
    assert (answer.status_code, answer.text) == (500, "500 Internal Server Error")
