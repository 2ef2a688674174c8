"""The optional platform middleware: CORS, HSTS, trusted hosts; and response gzip."""

from __future__ import annotations

import asyncio
import gzip

import pytest
from starlette.websockets import WebSocketDisconnect

import dyne
from dyne.middleware import platform_middleware

ORIGIN = "https://example.org"


def raw_request(app: dyne.App, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    """Send ``GET /`` with exactly these headers (no client fixing them up)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
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


def make_app(tmp_path, monkeypatch, **options) -> dyne.App:
    monkeypatch.chdir(tmp_path)
    app = dyne.App(**options)

    @app.route("/")
    def home(req, resp):
        resp.text = "home"

    @app.route("/boom")
    def boom(req, resp):
        raise RuntimeError("boom")

    @app.route("/items", methods=["GET", "POST"])
    def items(req, resp):
        resp.media = {"items": []}

    return app


# -- nothing configured ------------------------------------------------------------------


def test_middleware_none_installed_by_default(app):
    assert platform_middleware(app) == []


def test_middleware_default_app_sends_no_cors_or_hsts_headers(app, client):
    r = client.get("/", headers={"origin": ORIGIN})
    assert "access-control-allow-origin" not in r.headers
    assert "strict-transport-security" not in r.headers


# -- CORS ----------------------------------------------------------------------------------


def test_cors_tour_default_allows_no_origin(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch, cors=True)
    r = app.client.get("/", headers={"origin": ORIGIN})
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers


def test_cors_allowed_origin_gets_the_header(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch, cors=True, cors_params={"allow_origins": [ORIGIN]})
    r = app.client.get("/", headers={"origin": ORIGIN})
    assert r.headers["access-control-allow-origin"] == ORIGIN


def test_cors_wildcard_origin(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch, cors=True, cors_params={"allow_origins": ["*"]})
    r = app.client.get("/", headers={"origin": "https://anything.test"})
    assert r.headers["access-control-allow-origin"] == "*"


def test_cors_origin_regex(tmp_path, monkeypatch):
    params = {"allow_origin_regex": r"https://.*\.example\.org"}
    app = make_app(tmp_path, monkeypatch, cors=True, cors_params=params)
    ok = app.client.get("/", headers={"origin": "https://www.example.org"})
    other = app.client.get("/", headers={"origin": "https://www.example.com"})
    assert ok.headers["access-control-allow-origin"] == "https://www.example.org"
    assert "access-control-allow-origin" not in other.headers


def test_cors_preflight_defaults_max_age_60_and_get_only(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch, cors=True, cors_params={"allow_origins": [ORIGIN]})
    preflight = {"origin": ORIGIN, "access-control-request-method": "GET"}
    r = app.client.options("/items", headers=preflight)
    assert r.status_code == 200
    assert r.headers["access-control-max-age"] == "60"
    assert r.headers["access-control-allow-methods"] == "GET"
    post = app.client.options(
        "/items", headers={**preflight, "access-control-request-method": "POST"}
    )
    assert post.status_code == 400


def test_cors_preflight_from_disallowed_origin_is_refused(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch, cors=True, cors_params={"allow_origins": [ORIGIN]})
    r = app.client.options(
        "/items",
        headers={"origin": "https://evil.test", "access-control-request-method": "GET"},
    )
    assert r.status_code == 400
    assert "access-control-allow-origin" not in r.headers


def test_cors_default_allow_headers_are_only_the_safe_ones(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch, cors=True, cors_params={"allow_origins": [ORIGIN]})
    base = {"origin": ORIGIN, "access-control-request-method": "GET"}
    safe = app.client.options("/", headers={**base, "access-control-request-headers": "Accept"})
    custom = app.client.options("/", headers={**base, "access-control-request-headers": "X-Custom"})
    assert safe.status_code == 200
    assert custom.status_code == 400


def test_cors_every_parameter_is_applied(tmp_path, monkeypatch):
    params = {
        "allow_origins": [ORIGIN],
        "allow_methods": ["GET", "POST"],
        "allow_headers": ["X-Custom"],
        "allow_credentials": True,
        "expose_headers": ["X-Total"],
        "max_age": 600,
    }
    app = make_app(tmp_path, monkeypatch, cors=True, cors_params=params)
    preflight = app.client.options(
        "/items",
        headers={
            "origin": ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "X-Custom",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-max-age"] == "600"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "x-custom" in preflight.headers["access-control-allow-headers"].lower()
    assert preflight.headers["access-control-allow-credentials"] == "true"
    simple = app.client.get("/", headers={"origin": ORIGIN})
    assert simple.headers["access-control-expose-headers"] == "X-Total"
    assert simple.headers["access-control-allow-credentials"] == "true"


def test_cors_headers_survive_a_500(tmp_path, monkeypatch):
    app = make_app(
        tmp_path, monkeypatch, cors=True, cors_params={"allow_origins": [ORIGIN]}, debug=False
    )
    r = app.client.get("/boom", headers={"origin": ORIGIN})
    assert r.status_code == 500
    assert r.headers["access-control-allow-origin"] == ORIGIN


def test_cors_headers_survive_a_404(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch, cors=True, cors_params={"allow_origins": [ORIGIN]})
    r = app.client.get("/nope", headers={"origin": ORIGIN})
    assert r.status_code == 404
    assert r.headers["access-control-allow-origin"] == ORIGIN


def test_cors_unknown_parameter_fails_at_construction(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=r"Unknown cors_params \['allow_origin'\]"):
        dyne.App(cors=True, cors_params={"allow_origin": [ORIGIN]})


# -- HSTS ----------------------------------------------------------------------------------


def test_hsts_redirects_http_to_https(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch, enable_hsts=True, allowed_hosts=["example.com"])
    r = app.client.get("http://example.com/items?x=1", follow_redirects=False)
    assert r.status_code == 307
    assert r.headers["location"] == "https://example.com/items?x=1"


def test_hsts_header_on_https_responses(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch, enable_hsts=True, allowed_hosts=["example.com"])
    r = app.client.get("https://example.com/")
    assert r.text == "home"
    assert r.headers["strict-transport-security"].startswith("max-age=31536000")


def test_hsts_tour_sample_redirects_to_the_requested_host(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(enable_hsts=True)  # the tour's sample, as written

    @app.route("/")
    def home(req, resp):
        resp.text = "home"

    r = app.client.get("http://example.com:80/a%2Fb?x=1", follow_redirects=False)
    assert r.status_code == 307
    assert r.headers["location"] == "https://example.com/a%2Fb?x=1"


def test_hsts_redirect_is_never_stored_by_shared_caches(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch, enable_hsts=True)
    r = app.client.get("http://example.com/", follow_redirects=False)
    assert r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "host", ["example.com:80@evil.com", "evil.com/x", "a b", "example.com:99999x", ""]
)
def test_hsts_redirect_refuses_a_malformed_host(tmp_path, monkeypatch, host):
    app = make_app(tmp_path, monkeypatch, enable_hsts=True)
    r = app.client.get("http://example.com/", headers={"host": host}, follow_redirects=False)
    assert r.status_code == 400
    assert "location" not in r.headers


@pytest.mark.parametrize(
    "target", [b"@evil.com/", b".evil.com/", b"@evil.com", b"http://evil.com/x", b"*"]
)
def test_hsts_redirect_refuses_a_request_target_that_is_not_a_path(tmp_path, monkeypatch, target):
    # uvicorn's h11 server hands any request target over as raw_path: "GET @evil.com/"
    # with an allowed Host was redirected to https://example.com@evil.com/ (evil.com).
    app = make_app(tmp_path, monkeypatch, enable_hsts=True, allowed_hosts=["example.com"])
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": target.decode("ascii"),
        "raw_path": target,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"example.com")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 400
    assert not [value for name, value in sent[0]["headers"] if name == b"location"]


def test_hsts_without_allowed_hosts_logs_a_warning(tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    with caplog.at_level("WARNING", logger="dyne"):
        dyne.App(enable_hsts=True)
    assert "without allowed_hosts" in caplog.text


def test_hsts_with_allowed_hosts_refuses_other_hosts_before_redirecting(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch, enable_hsts=True, allowed_hosts=["example.com"])
    r = app.client.get("http://evil.com/", follow_redirects=False)
    assert r.status_code == 400
    assert "location" not in r.headers


# -- trusted hosts -------------------------------------------------------------------------


@pytest.fixture
def hosts_app(tmp_path, monkeypatch) -> dyne.App:
    return make_app(
        tmp_path, monkeypatch, allowed_hosts=["example.com", "tenant.example.com", "*.dyne.dev"]
    )


@pytest.mark.parametrize(
    "host", ["example.com", "tenant.example.com", "EXAMPLE.com", "example.com:8000", "a.dyne.dev"]
)
def test_trusted_hosts_allowed(hosts_app, host):
    r = hosts_app.client.get("/", headers={"host": host})
    assert r.status_code == 200
    assert r.text == "home"


@pytest.mark.parametrize("host", ["evil.com", "other.example.com", "dyne.dev", "example.com.evil"])
def test_trusted_hosts_other_host_is_400(hosts_app, host):
    r = hosts_app.client.get("/", headers={"host": host})
    assert r.status_code == 400


@pytest.mark.parametrize(
    "host",
    [
        b"example.com:80@evil.com",
        b"example.com@evil.com",
        b"example.com evil.com",
        b"example .com",
        b" example.com",
        b"example.com/../evil.com",
        b"example.com/",
        b"example.com:abc",
        b"example.com:",
        b"example.com:80:80",
        b"example.com\\evil.com",
        b"example.com#evil.com",
        b"example.com?x",
        b"",
        b"\xff\xfe",
    ],
)
def test_trusted_hosts_malformed_host_is_400(hosts_app, host):
    status, body = raw_request(hosts_app, [(b"host", host)])
    assert status == 400
    assert body == b"Invalid host header"


def test_trusted_hosts_missing_host_is_400(hosts_app):
    assert raw_request(hosts_app, [])[0] == 400


def test_trusted_hosts_two_host_headers_are_400(hosts_app):
    status, _ = raw_request(hosts_app, [(b"host", b"example.com"), (b"host", b"evil.com")])
    assert status == 400


def test_trusted_hosts_default_allows_all(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch)
    assert app.client.get("/", headers={"host": "anything.test"}).status_code == 200


def test_trusted_hosts_tour_sample(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch, allowed_hosts=["example.com", "tenant.example.com"])
    assert app.client.get("/", headers={"host": "tenant.example.com"}).status_code == 200
    assert app.client.get("/", headers={"host": "example.org"}).status_code == 400


def test_trusted_hosts_star_allows_any_well_formed_host(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch, allowed_hosts=["*"])
    assert app.client.get("/", headers={"host": "x.test"}).status_code == 200
    assert raw_request(app, [(b"host", b"a@b")])[0] == 400


def test_trusted_hosts_ipv6_literal(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch, allowed_hosts=["[::1]"])
    assert raw_request(app, [(b"host", b"[::1]:8000")])[0] == 200


def test_trusted_hosts_websocket_with_bad_host_is_refused(hosts_app):
    @hosts_app.route("/ws", websocket=True)
    async def ws_view(ws):
        await ws.accept()
        await ws.close()

    with (
        pytest.raises(WebSocketDisconnect) as refused,
        hosts_app.client.websocket_connect("/ws", headers={"host": "evil.com"}),
    ):
        pass
    assert refused.value.code == 1008


@pytest.mark.parametrize("pattern", ["exa*mple.com", "*example.com", "example.*", "*.*.com"])
def test_trusted_hosts_misplaced_wildcard_fails_at_construction(tmp_path, monkeypatch, pattern):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="Invalid allowed_hosts pattern"):
        dyne.App(allowed_hosts=[pattern])


def test_trusted_hosts_string_instead_of_list_fails_at_construction(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=r"write allowed_hosts=\['example.com'\]"):
        dyne.App(allowed_hosts="example.com")


# -- gzip ----------------------------------------------------------------------------------


BIG = "dyne " * 400  # 2,000 bytes


@pytest.fixture
def gz_app(app) -> dyne.App:
    @app.route("/big")
    def big(req, resp):
        resp.text = BIG

    @app.route("/small")
    def small(req, resp):
        resp.text = "tiny"

    @app.route("/stream")
    async def stream(req, resp):
        async def chunks():
            for _ in range(10):
                yield BIG.encode()

        resp.stream(chunks)

    @app.route("/encoded")
    def encoded(req, resp):
        resp.headers["content-encoding"] = "br"
        resp.content = b"\x00" * 2000

    @app.route("/png")
    def png(req, resp):
        resp.mimetype = "image/png"
        resp.content = b"\x89PNG" + b"\x00" * 2000

    return app


def test_gzip_large_body_is_compressed_for_gzip_clients(gz_app, client):
    r = client.get("/big", headers={"accept-encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert r.headers["vary"] == "Accept-Encoding"
    assert int(r.headers["content-length"]) < len(BIG)
    assert r.text == BIG


def test_gzip_body_is_valid_gzip(gz_app, client):
    with client.stream("GET", "/big", headers={"accept-encoding": "gzip"}) as r:
        raw = b"".join(r.iter_raw())
    assert gzip.decompress(raw).decode() == BIG


def test_gzip_used_for_a_wildcard_accept_encoding(gz_app, client):
    r = client.get("/big", headers={"accept-encoding": "*"})
    assert r.headers["content-encoding"] == "gzip"


def test_gzip_not_used_when_refused_beside_a_wildcard(gz_app, client):
    r = client.get("/big", headers={"accept-encoding": "*, gzip;q=0"})
    assert "content-encoding" not in r.headers


def test_gzip_small_body_is_not_compressed(gz_app, client):
    r = client.get("/small", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in r.headers
    assert r.text == "tiny"


def test_gzip_not_used_when_client_does_not_accept_it(gz_app, client):
    for value in ("identity", "br", "gzip;q=0"):
        r = client.get("/big", headers={"accept-encoding": value})
        assert "content-encoding" not in r.headers
        assert r.headers["vary"] == "Accept-Encoding"
        assert r.text == BIG


def test_gzip_streams_are_not_compressed(gz_app, client):
    r = client.get("/stream", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in r.headers
    assert r.text == BIG * 10


def test_gzip_already_encoded_body_is_untouched(gz_app, client):
    with client.stream("GET", "/encoded", headers={"accept-encoding": "gzip"}) as r:
        raw = b"".join(r.iter_raw())
        assert r.headers["content-encoding"] == "br"
    assert raw == b"\x00" * 2000


def test_gzip_skips_compressed_media_types(gz_app, client):
    r = client.get("/png", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in r.headers


def test_gzip_head_matches_get_headers(gz_app, client):
    get = client.get("/big", headers={"accept-encoding": "gzip"})
    head = client.head("/big", headers={"accept-encoding": "gzip"})
    assert head.headers["content-encoding"] == "gzip"
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.content == b""


def test_gzip_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(gzip=False)

    @app.route("/big")
    def big(req, resp):
        resp.text = BIG

    r = app.client.get("/big", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in r.headers
    assert "vary" not in r.headers


def test_gzip_min_size_is_configurable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(gzip_min_size=5000)

    @app.route("/big")
    def big(req, resp):
        resp.text = BIG

    assert "content-encoding" not in app.client.get("/big").headers
