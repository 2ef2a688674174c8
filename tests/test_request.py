"""Request: URL parts, headers, query parameters, cookies, body decoding and limits."""

from __future__ import annotations

import pytest

import dyne


@pytest.fixture
def echo(app):
    """Register a view that reports what the request looked like."""

    def register(path, build, methods=("GET",)):
        async def view(req, resp):
            resp.media = await build(req)

        app.add_route(path, view, methods=list(methods))

    return register


def test_request_method_and_path(app, client, echo):
    async def build(req):
        return {"method": req.method, "path": req.path}

    echo("/where", build, methods=("PATCH",))
    assert client.patch("/where").json() == {"method": "PATCH", "path": "/where"}


def test_request_full_url_includes_query(app, client, echo):
    async def build(req):
        return {"url": req.full_url, "path": req.url.path}

    echo("/u", build)
    assert client.get("/u?x=1").json() == {"url": "http://;/u?x=1", "path": "/u"}


def test_request_headers_are_case_insensitive(app, client, echo):
    async def build(req):
        return {"value": req.headers["x-custom"], "same": req.headers.get("X-CUSTOM")}

    echo("/h", build)
    assert client.get("/h", headers={"X-Custom": "v"}).json() == {"value": "v", "same": "v"}


def test_request_params_last_value_wins(app, client, echo):
    async def build(req):
        return {"a": req.params["a"], "all": req.params.get_list("a")}

    echo("/q", build)
    assert client.get("/q?a=1&a=2").json() == {"a": "2", "all": ["1", "2"]}


def test_request_cookies_are_parsed(app, client, echo):
    async def build(req):
        return req.cookies

    echo("/c", build)
    assert client.get("/c", headers={"Cookie": "hello=world; n=1"}).json() == {
        "hello": "world",
        "n": "1",
    }


def test_request_state_is_per_request(app, client):
    @app.route("/s")
    async def view(req, resp):
        first = getattr(req.state, "count", 0)
        req.state.count = first + 1
        resp.media = {"count": req.state.count}

    assert client.get("/s").json() == {"count": 1}
    assert client.get("/s").json() == {"count": 1}


def test_request_missing_state_attribute_raises(app, client):
    @app.route("/s")
    async def view(req, resp):
        try:
            req.state.nothing  # noqa: B018
        except AttributeError:
            resp.text = "AttributeError"

    assert client.get("/s").text == "AttributeError"


def test_request_app_is_the_app(app, client):
    @app.route("/a")
    async def view(req, resp):
        resp.media = {"same": req.app is app}

    assert client.get("/a").json() == {"same": True}


def test_request_client_address_is_known(app, client, echo):
    async def build(req):
        return {"host": req.client.host}

    echo("/ip", build)
    assert client.get("/ip").json() == {"host": "testclient"}


def test_request_is_secure_for_https(app, client, echo):
    async def build(req):
        return {"secure": req.is_secure}

    echo("/tls", build)
    assert client.get("https://;/tls").json() == {"secure": True}
    assert client.get("/tls").json() == {"secure": False}


def test_request_mimetype_drops_parameters(app, client, echo):
    async def build(req):
        return {"mimetype": req.mimetype, "encoding": req.encoding}

    echo("/m", build, methods=("POST",))
    response = client.post(
        "/m", content=b"x", headers={"Content-Type": "text/plain; charset=latin-1"}
    )
    assert response.json() == {"mimetype": "text/plain", "encoding": "latin-1"}


def test_request_encoding_is_settable(app, client):
    @app.route("/t", methods=["POST"])
    async def view(req, resp):
        req.encoding = "latin-1"
        resp.text = await req.text

    assert client.post("/t", content="é".encode("latin-1")).text == "é"


def test_request_accepts_checks_accept_header(app, client, echo):
    async def build(req):
        return {"json": req.accepts("application/json"), "xml": req.accepts("text/xml")}

    echo("/acc", build)
    response = client.get("/acc", headers={"Accept": "application/json, text/*;q=0"})
    assert response.json() == {"json": True, "xml": False}


def test_request_accepts_lets_the_most_specific_range_decide(app, client, echo):
    async def build(req):
        return {"html": req.accepts("text/html"), "xml": req.accepts("text/xml")}

    echo("/specific", build)
    response = client.get("/specific", headers={"Accept": "text/html;q=0, */*"})
    assert response.json() == {"html": False, "xml": True}


def test_request_content_is_raw_bytes(app, client):
    @app.route("/raw", methods=["POST"])
    async def view(req, resp):
        resp.content = await req.content

    assert client.post("/raw", content=b"\x00\x01").content == b"\x00\x01"


def test_request_media_decodes_json(app, client):
    @app.route("/j", methods=["POST"])
    async def view(req, resp):
        resp.media = await req.media()

    assert client.post("/j", json={"a": [1, 2]}).json() == {"a": [1, 2]}


def test_request_media_decodes_yaml(app, client):
    @app.route("/y", methods=["POST"])
    async def view(req, resp):
        resp.media = await req.media()

    body = b"a: 1\nb: [x, y]\n"
    response = client.post("/y", content=body, headers={"Content-Type": "application/x-yaml"})
    assert response.json() == {"a": 1, "b": ["x", "y"]}


def test_request_media_decodes_urlencoded_form(app, client):
    @app.route("/f", methods=["POST"])
    async def view(req, resp):
        resp.media = await req.media()

    assert client.post("/f", data={"name": "ann", "city": "Oslo"}).json() == {
        "name": "ann",
        "city": "Oslo",
    }


def test_request_media_files_format_returns_file_dicts(app, client):
    @app.route("/up", methods=["POST"])
    async def view(req, resp):
        data = await req.media(format="files")
        image = data["image"]
        resp.media = {
            "filename": image["filename"],
            "content": image["content"].decode(),
            "type": image["content-type"],
            "description": data["description"],
        }

    response = client.post(
        "/up",
        data={"description": "sunset"},
        files={"image": ("photo.jpg", b"JPEGDATA", "image/jpeg")},
    )
    assert response.json() == {
        "filename": "photo.jpg",
        "content": "JPEGDATA",
        "type": "image/jpeg",
        "description": "sunset",
    }


def test_request_form_gives_upload_files(app, client):
    @app.route("/form", methods=["POST"])
    async def view(req, resp):
        form = await req.form()
        upload = form["doc"]
        resp.media = {"name": upload.filename, "size": upload.size}

    response = client.post("/form", files={"doc": ("a.txt", b"12345", "text/plain")})
    assert response.json() == {"name": "a.txt", "size": 5}


def test_request_body_can_be_read_twice(app, client):
    @app.route("/twice", methods=["POST"])
    async def view(req, resp):
        first = await req.content
        second = await req.media()
        resp.media = {"len": len(first), "media": second}

    assert client.post("/twice", json={"k": 1}).json() == {"len": 7, "media": {"k": 1}}


def test_request_extension_property_is_reachable(app, client):
    app.request_properties["tenant"] = lambda req: req.headers.get("x-tenant", "none")

    @app.route("/tenant")
    async def view(req, resp):
        resp.text = req.tenant

    assert client.get("/tenant", headers={"X-Tenant": "acme"}).text == "acme"


def test_request_unknown_attribute_raises_attribute_error(app, client):
    @app.route("/nope")
    async def view(req, resp):
        try:
            req.nonexistent  # noqa: B018
        except AttributeError as exc:
            resp.text = str(exc)

    assert client.get("/nope").text == "Request has no attribute 'nonexistent'"


def test_request_finalizer_sees_view_exception_before_error_handler(app, client):
    events = []

    @app.error_handler(500)
    async def on_500(req, resp, exc):
        events.append("handler")
        resp.text = "handled"

    @app.route("/boom")
    async def view(req, resp):
        async def finalizer(req, resp, exc):
            events.append(f"finalizer:{type(exc).__name__}")

        req.add_finalizer(finalizer)
        raise ValueError("boom")

    assert client.get("/boom").text == "handled"
    assert events == ["finalizer:ValueError", "handler"]


def test_request_body_limit_is_configurable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    small = dyne.App(max_body_size=10)

    @small.route("/b", methods=["POST"])
    async def view(req, resp):
        resp.content = await req.content

    assert small.client.post("/b", content=b"x" * 11).status_code == 413
    assert small.client.post("/b", content=b"x" * 10).status_code == 200
    small.client.close()


def call_in_chunks(app, path, chunks):
    """Drive the app's ASGI callable with a body sent in several messages; return
    (status, body). The test client always sends one message, so it can't show this."""
    import anyio

    messages = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/octet-stream")],
    }
    anyio.run(app, scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def test_request_body_in_several_chunks_is_joined(app):
    @app.route("/chunks", methods=["POST"])
    async def view(req, resp):
        resp.content = await req.content

    assert call_in_chunks(app, "/chunks", [b"ab", b"cd"]) == (200, b"abcd")


def test_request_stream_yields_chunks_without_keeping_them(app):
    @app.route("/stream", methods=["POST"])
    async def view(req, resp):
        resp.text = ",".join([str(len(chunk)) async for chunk in req.stream()])

    assert call_in_chunks(app, "/stream", [b"a" * 3, b"b" * 5]) == (200, b"3,5")


def test_request_chunked_body_over_limit_is_413(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    small = dyne.App(max_body_size=6)

    @small.route("/b", methods=["POST"])
    async def view(req, resp):
        resp.content = await req.content

    assert call_in_chunks(small, "/b", [b"1234", b"5678"])[0] == 413


def test_request_client_gone_mid_body_sends_nothing(app):
    @app.route("/gone", methods=["POST"])
    async def view(req, resp):
        resp.content = await req.content

    import anyio

    sent = []
    messages = [{"type": "http.request", "body": b"ab", "more_body": True}]

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/gone", "query_string": b"", "headers": []}
    anyio.run(app, scope, receive, send)
    assert sent == []


def test_request_body_streamed_twice_is_an_error(app, client):
    @app.route("/twice", methods=["POST"])
    async def view(req, resp):
        async for _ in req.stream():
            pass
        try:
            async for _ in req.stream():
                pass
        except RuntimeError as exc:
            resp.text = str(exc)

    response = client.post("/twice", content=b"x")
    assert response.text == "The request body was already streamed and cannot be read again."
