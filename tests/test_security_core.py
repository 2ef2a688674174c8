"""Security regressions for the core HTTP layer (issue 13): each test names the hole it closes."""

from __future__ import annotations

import asyncio
import http.cookies
import logging

import pytest

import dyne
from dyne.exceptions import abort
from dyne.headers import parse_cookie_header
from dyne.request import MAX_COOKIE_HEADER_SIZE
from dyne.routing import RouteError


def asgi_get(app: dyne.App, path: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    """Send ``GET path`` with exactly these headers (no client fixing them up)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


# -- 1. a refusal on on_request ends the request ----------------------------------------


@pytest.fixture
def guarded(app):
    calls: list[str] = []

    @app.route("/vault", methods=["GET", "POST"])
    class Vault:
        def on_request(self, req, resp):
            if req.headers.get("authorization") != "let-me-in":
                resp.status_code = 401
                resp.text = "login first"

        def on_get(self, req, resp):
            calls.append("get")
            resp.text = "the secret"

        def on_post(self, req, resp):
            calls.append("post")
            resp.text = "done"

    return calls


def test_class_view_on_request_4xx_skips_the_method_handler(client, guarded):
    response = client.get("/vault")
    assert (response.status_code, response.text) == (401, "login first")
    assert guarded == []


def test_class_view_on_request_4xx_prevents_side_effects(client, guarded):
    assert client.post("/vault").status_code == 401
    assert guarded == []


def test_class_view_on_request_4xx_on_head_runs_no_handler(client, guarded):
    assert client.head("/vault").status_code == 401
    assert guarded == []


def test_class_view_allowed_request_still_runs_the_handler(client, guarded):
    assert client.get("/vault", headers={"authorization": "let-me-in"}).text == "the secret"


def test_class_view_complete_response_skips_the_method_handler(app, client):
    calls: list[str] = []

    @app.route("/account")
    class Account:
        async def on_request(self, req, resp):
            resp.redirect("/login", status_code=302)
            resp.complete = True

        async def on_get(self, req, resp):
            calls.append("get")
            resp.text = "private"

    response = client.get("/account", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (302, "/login")
    assert response.text == ""
    assert calls == []


def test_response_complete_defaults_to_false(app, client):
    seen: list[bool] = []

    @app.route("/")
    def home(req, resp):
        seen.append(resp.complete)

    client.get("/")
    assert seen == [False]


def test_before_request_complete_skips_later_hooks_and_the_view(app, client):
    calls: list[str] = []

    @app.route(before_request=True)
    def maintenance(req, resp):
        resp.redirect("/maintenance", status_code=302)
        resp.complete = True

    @app.route(before_request=True)
    def second(req, resp):
        calls.append("hook")

    @app.route("/")
    def home(req, resp):
        calls.append("view")

    assert client.get("/", follow_redirects=False).status_code == 302
    assert calls == []


# -- 3. path parameters cannot escape a directory ---------------------------------------


@pytest.fixture
def files(app):
    seen: list[str] = []

    @app.route("/files/{name:path}")
    def serve(req, resp, *, name):
        seen.append(name)
        resp.text = name

    @app.route("/users/{name}")
    def user(req, resp, *, name):
        seen.append(name)
        resp.text = name

    return seen


@pytest.mark.parametrize(
    "path",
    [
        "/files//etc/passwd",
        "/files/%2Fetc/passwd",
        "/files/a//b",
        "/files/a/",
        "/files/a/%2e%2e/%2e%2e/etc/passwd",
        "/files/%2E%2E/x",
        "/files/a/%2e/b",
        "/files/..%5C..%5Cwindows",
        "/files/a%5C..%5C..%5Cx",
        "/files/%5Cserver%5Cshare",
        "/files/C:%5Cwindows",
        "/files/a%00.txt",
    ],
)
def test_path_parameter_outside_its_directory_is_404(client, files, path):
    assert client.get(path).status_code == 404
    assert files == []


@pytest.mark.parametrize("path", ["/users/%2e%2e", "/users/..%5Cx", "/users/a%2Fb", "/users/a%00"])
def test_str_parameter_dot_segments_and_slashes_are_404(client, files, path):
    assert client.get(path).status_code == 404
    assert files == []


def test_path_parameter_relative_path_still_matches(client, files):
    assert client.get("/files/docs/a..b/report.txt").text == "docs/a..b/report.txt"


def test_int_parameter_with_thousands_of_digits_is_404(app, client):
    @app.route("/n/{n:int}")
    def number(req, resp, *, n):
        resp.text = str(n)

    assert client.get("/n/" + "9" * 5000).status_code == 404


@pytest.mark.parametrize("value", ["..", ".", "a/b", ""])
def test_url_for_refuses_a_str_value_the_route_cannot_match(app, value):
    @app.route("/users/{name}")
    def user(req, resp, *, name): ...

    with pytest.raises(RouteError, match="the route would not match it"):
        app.url_for(user, name=value)


@pytest.mark.parametrize("value", ["/etc/passwd", "a/../../x", "a//b"])
def test_url_for_refuses_a_path_value_the_route_cannot_match(app, value):
    @app.route("/files/{name:path}")
    def serve(req, resp, *, name): ...

    with pytest.raises(RouteError, match="the route would not match it"):
        app.url_for(serve, name=value)


def test_url_for_refuses_a_negative_int(app):
    @app.route("/n/{n:int}")
    def number(req, resp, *, n): ...

    with pytest.raises(RouteError, match="-1"):
        app.url_for(number, n=-1)


def test_url_for_large_float_round_trips(app, client):
    @app.route("/f/{x:float}")
    def show(req, resp, *, x):
        resp.media = {"x": x}

    assert client.get(app.url_for(show, x=1e20)).json() == {"x": 1e20}


# -- 4. OPTIONS never runs a view it was not registered for -----------------------------


def test_options_to_a_get_route_answers_allow_without_running_the_view(app, client):
    calls: list[str] = []

    @app.route("/report", methods=["GET", "POST"])
    def report(req, resp):
        calls.append(req.method)
        resp.text = "secret report"

    response = client.options("/report")
    assert response.status_code == 200
    assert response.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert response.text == ""
    assert calls == []


def test_options_to_a_class_view_with_on_request_runs_nothing(app, client):
    calls: list[str] = []

    @app.route("/panel")
    class Panel:
        def on_request(self, req, resp):
            calls.append("on_request")

        def on_get(self, req, resp):
            calls.append("on_get")

    response = client.options("/panel")
    assert response.status_code == 200
    assert "OPTIONS" in response.headers["allow"]
    assert calls == []


def test_options_registered_explicitly_runs_the_view(app, client):
    @app.route("/api", methods=["GET", "OPTIONS"])
    def api(req, resp):
        resp.headers["x-seen"] = req.method

    assert client.options("/api").headers["x-seen"] == "OPTIONS"


def test_options_class_view_with_on_options_runs_it(app, client):
    @app.route("/thing")
    class Thing:
        def on_request(self, req, resp):
            resp.headers["x-on-request"] = "yes"

        def on_options(self, req, resp):
            resp.text = "options"

    response = client.options("/thing")
    assert (response.text, response.headers["x-on-request"]) == ("options", "yes")


def test_options_to_a_missing_path_is_404(client):
    assert client.options("/nowhere").status_code == 404


def test_method_not_allowed_lists_options(app, client):
    @app.route("/only-get")
    def only_get(req, resp): ...

    assert client.delete("/only-get").headers["allow"] == "GET, HEAD, OPTIONS"


# -- 6. CORS with credentials needs listed origins --------------------------------------


@pytest.mark.parametrize("origins", [["*"], ["null"], ["https://a.example", "*"]])
def test_cors_credentials_with_any_origin_fails_at_construction(app, origins):
    with pytest.raises(ValueError, match="list the origins you trust"):
        dyne.App(cors=True, cors_params={"allow_origins": origins, "allow_credentials": True})


@pytest.mark.parametrize("regex", [".*", "https?://.*", "https://.+", r"(https?://)?[\w.-]+"])
def test_cors_credentials_with_catch_all_regex_fails_at_construction(app, regex):
    with pytest.raises(ValueError, match="matches any site's origin"):
        dyne.App(cors=True, cors_params={"allow_origin_regex": regex, "allow_credentials": True})


def test_cors_credentials_with_an_anchored_regex_is_accepted(app):
    params = {"allow_origin_regex": r"https://[a-z]+\.example\.org", "allow_credentials": True}
    assert dyne.App(cors=True, cors_params=params).cors_params == params


def test_cors_wildcard_without_credentials_is_accepted(app):
    assert dyne.App(cors=True, cors_params={"allow_origins": ["*"]}).cors is True


def test_cors_origins_as_a_string_fails_at_construction(app):
    with pytest.raises(ValueError, match=r"write \['https://a.example'\]"):
        dyne.App(cors=True, cors_params={"allow_origins": "https://a.example"})


def test_cors_invalid_regex_fails_at_construction(app):
    with pytest.raises(ValueError, match="is not a valid regex"):
        dyne.App(cors=True, cors_params={"allow_origin_regex": "https://(a"})


# -- 7. allowed_hosts and the test client -----------------------------------------------


def _host_app(allowed_hosts: list[str]) -> dyne.App:
    app = dyne.App(allowed_hosts=allowed_hosts)

    @app.route("/")
    def home(req, resp):
        resp.text = req.url.hostname or ""

    return app


def test_allowed_hosts_star_lets_the_test_client_through(app):
    response = _host_app(["*"]).client.get("/")
    assert response.status_code == 200


def test_allowed_hosts_test_client_sends_the_first_exact_host(app):
    response = _host_app(["*.example.com", "api.example.com"]).client.get("/")
    assert (response.status_code, response.text) == (200, "api.example.com")


def test_allowed_hosts_test_client_uses_a_subdomain_of_a_wildcard(app):
    response = _host_app(["*.example.com"]).client.get("http://;/")
    assert (response.status_code, response.text) == (200, "testserver.example.com")


def test_allowed_hosts_test_client_explicit_host_is_kept(app):
    response = _host_app(["example.com"]).client.get("/", headers={"host": "evil.com"})
    assert response.status_code == 400


def test_allowed_hosts_test_client_opens_websockets(app):
    host_app = dyne.App(allowed_hosts=["example.com"])

    @host_app.route("/ws", websocket=True)
    async def echo(ws):
        await ws.accept()
        await ws.send_text("hi")
        await ws.close()

    with host_app.client.websocket_connect("/ws") as ws:
        assert ws.receive_text() == "hi"


@pytest.mark.parametrize(
    "pattern",
    ["", "   ", "example.com:8000", "example.com/app", "http://example.com", "a b.com", "*."],
)
def test_allowed_hosts_pattern_that_cannot_match_fails_at_construction(app, pattern):
    with pytest.raises(ValueError, match="Invalid allowed_hosts pattern"):
        dyne.App(allowed_hosts=[pattern])


# -- 9. cookies are parsed in linear time, by Dyne --------------------------------------


@pytest.fixture
def cookie_app(app):
    @app.route("/")
    def home(req, resp):
        resp.media = req.cookies

    return app


def test_cookie_parsing_never_uses_http_cookies(cookie_app, client, monkeypatch):
    def quadratic(value):
        raise AssertionError("http.cookies._unquote is quadratic before Python 3.12.6")

    monkeypatch.setattr(http.cookies, "_unquote", quadratic)
    response = client.get("/", headers={"cookie": 'a="x\\"y\\101"; b=2'})
    assert response.json() == {"a": 'x"yA', "b": "2"}


def test_cookie_header_of_quoted_backslashes_is_parsed(cookie_app, client):
    value = "\\" * 60_000
    response = client.get("/", headers={"cookie": f'a="{value}"'})
    assert response.json() == {"a": "\\" * 30_000}


def test_cookie_header_above_the_cap_is_431(cookie_app, client):
    response = client.get("/", headers={"cookie": "a=" + "x" * MAX_COOKIE_HEADER_SIZE})
    assert response.status_code == 431


def test_cookie_headers_sent_twice_are_both_read(cookie_app):
    status, body = asgi_get(cookie_app, "/", [(b"cookie", b"a=1"), (b"cookie", b"b=2")])
    assert (status, body) == (200, b'{"a":"1","b":"2"}')


def test_cookie_parser_lenient_like_browsers():
    assert parse_cookie_header("a=1; b; =c; d=e=f;;  g = h ") == {
        "a": "1",
        "": "c",
        "d": "e=f",
        "g": "h",
    }


# -- 13. a body without a Content-Type is not JSON --------------------------------------


@pytest.fixture
def echo(app):
    @app.route("/echo", methods=["POST"])
    async def echo(req, resp):
        resp.media = await req.media(format=req.params.get("format"))

    return app


def test_media_without_content_type_is_415(echo, client):
    response = client.post("/echo", content=b'{"a": 1}')
    assert response.status_code == 415
    assert "no Content-Type" in response.text


def test_media_without_content_type_decodes_with_explicit_format(echo, client):
    response = client.post("/echo", params={"format": "json"}, content=b'{"a": 1}')
    assert response.json() == {"a": 1}


def test_media_with_json_content_type_still_decodes(echo, client):
    assert client.post("/echo", json={"a": 1}).json() == {"a": 1}


def test_media_empty_body_without_content_type_is_400(echo, client):
    assert client.post("/echo").status_code == 400


# -- 15. every header value is checked, errors end cleanly ------------------------------


@pytest.mark.parametrize("kind", ["text", "stream", "file"])
def test_content_type_with_crlf_is_a_logged_500(app, client, tmp_path, caplog, kind):
    target = tmp_path / "f.txt"
    target.write_text("data")

    @app.route("/")
    def home(req, resp):
        if kind == "file":
            resp.file(target, content_type="text/plain\r\nSet-Cookie: evil=1")
            return
        resp.mimetype = "text/plain\r\nSet-Cookie: evil=1"
        if kind == "stream":
            resp.stream(iter([b"chunk"]))
        else:
            resp.text = "hello"

    with caplog.at_level(logging.ERROR, logger="dyne"):
        response = client.get("/")
    assert response.status_code == 500
    assert "evil" not in response.headers.get("set-cookie", "")
    assert "CR, LF and NUL are not allowed" in caplog.text


def test_abort_with_crlf_header_is_a_logged_500(app, client, caplog):
    @app.route("/")
    def home(req, resp):
        abort(403, headers={"X-Reason": "no\r\nSet-Cookie: evil=1"})

    with caplog.at_level(logging.ERROR, logger="dyne"):
        response = client.get("/")
    assert (response.status_code, response.text) == (500, "500 Internal Server Error")
    assert "set-cookie" not in response.headers
    assert "CR, LF and NUL are not allowed" in caplog.text


def test_abort_with_valid_headers_keeps_them(app, client):
    @app.route("/")
    def home(req, resp):
        abort(429, headers={"Retry-After": "10"})

    response = client.get("/")
    assert (response.status_code, response.headers["retry-after"]) == (429, "10")


def test_redirect_to_backslash_path_is_encoded(app, client):
    @app.route("/")
    def home(req, resp):
        resp.redirect("/\\evil.com")

    assert client.get("/", follow_redirects=False).headers["location"] == "/%5Cevil.com"


# -- 17. SVG templates are autoescaped --------------------------------------------------


@pytest.mark.parametrize("name", ["icon.svg", "icon.svg.j2"])
def test_svg_template_is_autoescaped(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / name).write_text("<svg><text>{{ label }}</text></svg>")
    rendered = dyne.App().template(name, label="<script>alert(1)</script>")
    assert "<script>" not in rendered
    assert "&lt;script&gt;" in rendered


def test_long_segment_with_several_mixed_parameters_is_404(app, client):
    @app.route("/m/{a}-{n:int}-{b}")
    def mixed(req, resp, *, a, n, b):
        resp.text = b

    assert client.get("/m/a-1-b").text == "b"
    assert client.get("/m/" + "a-1-" * 300 + "b").status_code == 404


def test_long_segment_of_str_parameters_still_matches(app, client):
    @app.route("/d/{name}-{version}.tar.gz")
    def archive(req, resp, *, name, version):
        resp.media = [name, version]

    name = "x-" * 2000
    assert client.get(f"/d/{name}1.0.tar.gz").json() == [name[:-1], "1.0"]


# -- beyond the list --------------------------------------------------------------------


def test_headers_merged_with_ior_are_checked(app, client):
    @app.route("/")
    def home(req, resp):
        resp.headers |= {"X-Note": "a\r\nSet-Cookie: evil=1"}

    assert client.get("/").status_code == 500


def test_headers_merged_with_or_are_checked():
    from dyne.headers import ResponseHeaders

    with pytest.raises(ValueError, match="CR, LF and NUL"):
        ResponseHeaders() | {"X-Note": "a\nb"}


def test_websocket_deeply_nested_json_closes_with_1007(app, client):
    @app.route("/ws", websocket=True)
    async def echo(ws):
        await ws.accept()
        await ws.send_json(await ws.receive_json())

    with client.websocket_connect("/ws") as ws:
        ws.send_text("[" * 100_000 + "]" * 100_000)
        assert ws.receive()["code"] == 1007


def _multipart_post(client, part_headers: str):
    body = (
        f'--b0\r\n{part_headers}Content-Disposition: form-data; name="f"\r\n\r\nv\r\n--b0--\r\n'
    ).encode()
    return client.post(
        "/form", content=body, headers={"content-type": "multipart/form-data; boundary=b0"}
    )


@pytest.fixture
def form_app(app):
    @app.route("/form", methods=["POST"])
    async def form(req, resp):
        resp.media = dict(await req.form())

    return app


# python-multipart >= 0.0.27 refuses these itself (400); Dyne's own bounds (413) hold for
# the older releases its dependency range allows.
def test_multipart_part_with_huge_header_is_refused(form_app, client):
    response = _multipart_post(client, f"X-Pad: {'a' * 20_000}\r\n")
    assert response.status_code in (400, 413)


def test_multipart_part_with_too_many_headers_is_refused(form_app, client):
    response = _multipart_post(client, "X-Pad: a\r\n" * 100)
    assert response.status_code in (400, 413)


def test_multipart_part_with_ordinary_headers_is_read(form_app, client):
    response = _multipart_post(client, "Content-Type: text/plain\r\n")
    assert response.json() == {"f": "v"}


@pytest.fixture
def unbounded_python_multipart(monkeypatch):
    """python-multipart as before 0.0.27: no bound on a part's headers."""
    import functools

    import starlette.formparsers

    module = starlette.formparsers.multipart
    unbounded = functools.partial(
        module.MultipartParser, max_header_count=10**6, max_header_size=10**8
    )
    monkeypatch.setattr(module, "MultipartParser", unbounded)


def test_multipart_huge_part_header_is_413_whatever_python_multipart_does(
    form_app, client, unbounded_python_multipart
):
    response = _multipart_post(client, f"X-Pad: {'a' * 20_000}\r\n")
    assert response.status_code == 413


def test_multipart_many_part_headers_are_413_whatever_python_multipart_does(
    form_app, client, unbounded_python_multipart
):
    response = _multipart_post(client, "X-Pad: a\r\n" * 100)
    assert response.status_code == 413


@pytest.mark.parametrize(
    "expires", ["x\r\nSet-Cookie: evil=1", "Thu, 01 Jan 2099; Domain=evil.com"]
)
def test_cookie_expires_string_cannot_inject(expires):
    with pytest.raises(ValueError, match="Invalid cookie expires"):
        dyne.Response().set_cookie("a", "b", expires=expires)


def test_cookie_expires_string_in_a_view_is_a_500_without_the_cookie(app, client):
    @app.route("/")
    def home(req, resp):
        resp.set_cookie("a", "b", expires="x\r\nSet-Cookie: evil=1")

    response = client.get("/")
    assert response.status_code == 500
    assert "set-cookie" not in response.headers


def test_test_client_decodes_the_path_once_as_servers_do(app, client):
    @app.route("/users/{name}")
    def user(req, resp, *, name):
        resp.media = {"name": name, "path": req.path}

    response = client.get("/users/%252e%252e")
    assert response.json() == {"name": "%2e%2e", "path": "/users/%2e%2e"}
