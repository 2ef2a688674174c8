"""The core's seams, seen from outside: hooks made async once, sessions saved through the
response's header callbacks, mounts reached without an exception, ``include()`` all or
nothing, and the aliases that were removed."""

from __future__ import annotations

import threading

import dyne


def test_a_sync_before_request_hook_runs_in_the_thread_pool_not_on_the_event_loop(app):
    seen: dict[str, int] = {}

    @app.before_request
    def hook(req, resp):
        seen["hook"] = threading.get_ident()

    @app.route("/")
    async def view(req, resp):
        seen["view"] = threading.get_ident()
        resp.text = "ok"

    assert app.client.get("/").text == "ok"
    assert seen["hook"] != seen["view"]


def test_an_async_before_request_hook_runs_on_the_event_loop(app):
    seen: dict[str, int] = {}

    @app.before_request
    async def hook(req, resp):
        seen["hook"] = threading.get_ident()

    @app.route("/")
    async def view(req, resp):
        seen["view"] = threading.get_ident()

    app.client.get("/")
    assert seen["hook"] == seen["view"]


def test_a_sync_blueprint_hook_runs_in_the_thread_pool_and_can_refuse(app):
    bp = dyne.Blueprint("admin", "/admin")
    seen: dict[str, int] = {}

    @bp.before_request
    def hook(req, resp):
        seen["hook"] = threading.get_ident()
        if req.params.get("deny"):
            resp.status_code = 403
            resp.text = "no"

    @bp.route("/")
    async def view(req, resp):
        seen["view"] = threading.get_ident()
        resp.text = "admin"

    app.include(bp)
    assert app.client.get("/admin/").text == "admin"
    assert seen["hook"] != seen["view"]
    refused = app.client.get("/admin/?deny=1")
    assert (refused.status_code, refused.text) == (403, "no")


def test_a_sync_app_hook_that_sets_complete_skips_the_view(app):
    calls = []

    @app.before_request
    def hook(req, resp):
        resp.text = "answered by the hook"
        resp.complete = True

    @app.route("/")
    def view(req, resp):
        calls.append("view")

    assert app.client.get("/").text == "answered by the hook"
    assert calls == []


# -- sessions: saved through req.on_headers ---------------------------------------------


def _session_cookies(response) -> list[str]:
    return [v for k, v in response.headers.multi_items() if k == "set-cookie"]


def _assert_session_saved_once(response) -> None:
    cookies = _session_cookies(response)
    assert len(cookies) == 1, cookies
    assert cookies[0].startswith("dyne-Session=")


def test_a_session_changed_before_an_error_handler_answers_is_saved_once(app):
    class Refused(Exception):
        pass

    @app.error_handler(Refused)
    async def refused(req, resp, exc):
        resp.status_code = 409
        resp.text = "refused"

    @app.route("/")
    async def view(req, resp):
        req.session["tried"] = True
        raise Refused

    response = app.client.get("/")
    assert (response.status_code, response.text) == (409, "refused")
    _assert_session_saved_once(response)


def test_a_session_changed_by_an_error_handler_is_saved(app):
    @app.error_handler(404)
    async def missing(req, resp, exc):
        req.session["missed"] = req.path
        resp.status_code = 404
        resp.text = "gone"

    response = app.client.get("/nowhere")
    assert response.status_code == 404
    _assert_session_saved_once(response)


def test_a_session_changed_by_a_hook_is_saved_on_the_plain_404(app):
    @app.before_request
    def visit(req, resp):
        req.session["seen"] = 1

    response = app.client.get("/nowhere")
    assert (response.status_code, response.text) == (404, "Not Found")
    _assert_session_saved_once(response)


def test_a_session_changed_before_a_redirect_is_saved_once(app):
    @app.route("/login")
    async def login(req, resp):
        req.session["user"] = "ada"
        resp.redirect("/home", status_code=303)

    response = app.client.get("/login", follow_redirects=False)
    assert response.status_code == 303
    _assert_session_saved_once(response)


def test_a_session_changed_before_a_file_or_a_stream_is_saved_once(app, tmp_path):
    path = tmp_path / "report.txt"
    path.write_text("report")

    @app.route("/file")
    async def file(req, resp):
        req.session["downloaded"] = True
        resp.file(path)

    @app.route("/stream")
    async def stream(req, resp):
        req.session["streamed"] = True

        @resp.stream
        async def body():
            yield b"chunk"

    for url, body in (("/file", "report"), ("/stream", "chunk")):
        response = app.client.get(url)
        assert response.text == body
        _assert_session_saved_once(response)


def test_an_unchanged_session_sends_no_cookie(app):
    @app.route("/")
    async def view(req, resp):
        resp.text = str(req.session.get("user"))

    response = app.client.get("/")
    assert response.text == "None"
    assert _session_cookies(response) == []


def test_a_session_that_cannot_be_encoded_answers_500_once_without_a_cookie(app):
    @app.route("/")
    async def view(req, resp):
        req.session["bad"] = object()  # not JSON
        resp.text = "never sent"

    response = app.client.get("/")
    assert (response.status_code, response.text) == (500, "500 Internal Server Error")
    assert _session_cookies(response) == []


def test_on_headers_callbacks_run_in_order_before_the_headers_are_encoded(app):
    @app.before_request
    async def stamp(req, resp):
        req.on_headers(lambda req, resp: resp.headers.__setitem__("x-first", "1"))
        req.on_headers(lambda req, resp: resp.headers.__setitem__("x-order", "second"))

    @app.route("/")
    async def view(req, resp):
        resp.headers["x-order"] = "view"
        resp.text = "ok"

    response = app.client.get("/")
    assert response.headers["x-first"] == "1"
    assert response.headers["x-order"] == "second"


def test_the_session_codec_is_the_apps_own_public_attribute(app):
    from dyne.sessions import SessionCodec, codec_for

    assert isinstance(app.session_codec, SessionCodec)
    assert app.session_codec is app.session_codec
    assert codec_for(app) is app.session_codec


# -- undocumented aliases are gone -------------------------------------------------------


def test_the_removed_aliases_are_not_there(app):
    import pytest

    for name in ("add_event_handler", "serve"):
        with pytest.raises(AttributeError):
            getattr(app, name)
    with pytest.raises(TypeError):
        app.background(print)  # @app.background.task is the one spelling


# -- include() is all or nothing ---------------------------------------------------------


def test_an_include_that_clashes_halfway_registers_none_of_the_blueprints_routes(app):
    import pytest

    from dyne.routing import RouteError

    @app.route("/shop/b")
    async def taken(req, resp):
        resp.text = "app"

    bp = dyne.Blueprint("shop", "/shop")

    @bp.route("/a")
    async def a(req, resp):
        resp.text = "a"

    @bp.route("/b")  # clashes with the app's route, after /a
    async def b(req, resp):
        resp.text = "b"

    before = list(app.routes)
    with pytest.raises(RouteError, match="already handled"):
        app.include(bp)
    assert app.routes == before
    assert app.client.get("/shop/a").status_code == 404
    assert app.client.get("/shop/b").text == "app"


def test_a_blueprint_whose_include_failed_can_be_fixed_and_included(app):
    @app.route("/x/b")
    async def taken(req, resp):
        resp.text = "app"

    bp = dyne.Blueprint("x", "/x")

    @bp.route("/a")
    async def a(req, resp):
        resp.text = "a"

    @bp.route("/b")
    async def b(req, resp):
        resp.text = "b"

    import pytest

    from dyne.routing import RouteError

    with pytest.raises(RouteError):
        app.include(bp)
    app.include(bp, prefix="/v2")  # nothing half-registered is in the way
    assert app.client.get("/v2/x/a").text == "a"
    assert app.client.get("/v2/x/b").text == "b"


# -- mounts and prepare() ----------------------------------------------------------------


async def _plain_asgi(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": scope["root_path"].encode()})


def test_a_mounted_app_answers_and_a_hook_finalizer_sees_no_error(app):
    seen = []

    @app.before_request
    async def hook(req, resp):
        async def finalizer(req, resp, exc):
            seen.append(exc)

        req.add_finalizer(finalizer)

    app.mount("/sub", _plain_asgi)
    response = app.client.get("/sub/page")
    assert (response.status_code, response.text) == (200, "/sub")
    assert seen == [None]


def test_prepare_returns_an_asgi_app_for_every_kind_of_body(tmp_path):
    import asyncio

    from dyne.response import BufferedResponse, Response

    path = tmp_path / "f.txt"
    path.write_text("file")
    text = Response()
    text.text = "hi"
    prepared = text.prepare()
    assert isinstance(prepared, BufferedResponse)
    start, body = prepared
    assert (start["status"], body["body"]) == (200, b"hi")

    for resp, expected in ((text, b"hi"), (_file_response(path), b"file")):
        sent = []

        async def send(message, sent=sent):
            sent.append(message)

        async def receive():
            await asyncio.sleep(3600)  # the client never goes away mid-answer

        scope = {"type": "http", "method": "GET", "headers": []}
        asyncio.run(resp.prepare()(scope, receive, send))
        assert sent[0]["type"] == "http.response.start"
        assert b"".join(m.get("body", b"") for m in sent[1:]) == expected


def _file_response(path):
    from dyne.response import Response

    resp = Response()
    resp.file(path)
    return resp
