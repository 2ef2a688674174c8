"""Static files under ``static_route`` and the single-page-app fallback."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from urllib.parse import unquote

import pytest

import dyne
from dyne import abort
from dyne.routing import RouteError
from support import load_example

INDEX = "<!doctype html><title>spa</title>"


def raw_get(app: dyne.App, raw_path: bytes, method: str = "GET") -> tuple[int, bytes]:
    """Send exactly ``raw_path`` to the app, decoded as an HTTP server decodes it (the test
    client would normalise ``..`` away before the app sees it)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(raw_path.decode("ascii")),
        "raw_path": raw_path,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict] = []

    async def run() -> None:
        never = asyncio.Event()
        delivered = False

        async def receive() -> dict:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await never.wait()  # the client stays connected until the response is done
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)

        await app(scope, receive, send)

    asyncio.run(run())
    status = sent[0]["status"]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return status, body


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    """A project folder with ``static/`` (index, an asset) and a secret file beside it."""
    monkeypatch.chdir(tmp_path)
    static = tmp_path / "static"
    (static / "js").mkdir(parents=True)
    (static / "index.html").write_text(INDEX)
    (static / "js" / "app.js").write_text("console.log('hi');")
    (tmp_path / "secret.txt").write_text("top secret")
    return tmp_path


@pytest.fixture
def spa(site) -> dyne.App:
    app = dyne.App()
    app.add_route("/", static=True)

    @app.route("/api/items/{item_id:int}")
    def item(req, resp, *, item_id):
        if item_id > 10:
            abort(404)
        resp.media = {"id": item_id}

    return app


def test_static_files_are_served_under_static_route(site):
    app = dyne.App()
    r = app.client.get("/static/js/app.js")
    assert r.status_code == 200
    assert r.text == "console.log('hi');"
    assert r.headers["content-type"].startswith("text/javascript")


def test_static_route_and_dir_are_configurable(site):
    (site / "assets").mkdir()
    (site / "assets" / "a.txt").write_text("A")
    app = dyne.App(static_dir="assets", static_route="/files")
    assert app.client.get("/files/a.txt").text == "A"
    assert app.client.get("/static/js/app.js").status_code == 404


def test_static_dir_is_not_created_by_app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App()
    assert app.client.get("/static/x.js").status_code == 404
    assert not (tmp_path / "static").exists()


def test_static_dir_created_after_app_is_served(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App()
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "late.txt").write_text("late")
    assert app.client.get("/static/late.txt").text == "late"


def test_static_dir_none_serves_nothing(site):
    app = dyne.App(static_dir=None)
    assert app.client.get("/static/js/app.js").status_code == 404


def test_static_missing_asset_is_404(site):
    assert dyne.App().client.get("/static/js/missing.js").status_code == 404


def test_static_post_is_405(site):
    r = dyne.App().client.post("/static/js/app.js")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD"


def test_static_conditional_get_is_304(site):
    client = dyne.App().client
    etag = client.get("/static/js/app.js").headers["etag"]
    assert client.get("/static/js/app.js", headers={"if-none-match": etag}).status_code == 304


def test_static_single_range_is_206(site):
    r = dyne.App().client.get("/static/js/app.js", headers={"range": "bytes=0-6"})
    assert r.status_code == 206
    assert r.text == "console"


def test_static_thousands_of_ranges_get_the_whole_file_once(site):
    # Past 100 ranges the header is ignored (RFC 9110 allows it): one plain 200, no
    # multipart body built range by range.
    ranges = ",".join(f"{i}-{i}" for i in range(5000))
    r = dyne.App().client.get("/static/js/app.js", headers={"range": f"bytes={ranges}"})
    assert r.status_code == 200
    assert r.text == "console.log('hi');"


def test_static_malformed_range_is_400(site):
    r = dyne.App().client.get("/static/js/app.js", headers={"range": "lines=1-2"})
    assert r.status_code == 400


@pytest.mark.parametrize(
    "raw_path",
    [
        b"/static/../secret.txt",
        b"/static/js/../../secret.txt",
        b"/static/%2e%2e/secret.txt",
        b"/static/%2e%2e%2fsecret.txt",
        b"/static/%2E%2E%2Fsecret.txt",
        b"/static/..%2fsecret.txt",
        b"/static/..%5csecret.txt",
        b"/static/..%5c..%5csecret.txt",
        b"/static//etc/passwd",
        b"/static/%2fetc%2fpasswd",
        b"/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    ],
)
def test_static_path_traversal_is_404(spa, raw_path):
    status, body = raw_get(spa, raw_path)
    assert status == 404
    assert b"top secret" not in body and b"root:" not in body


@pytest.mark.parametrize("raw_path", [b"/static/a%00b.js", b"/static/%00", b"/static/js/app.js%00"])
def test_static_nul_byte_is_404(site, raw_path):
    status, _ = raw_get(dyne.App(), raw_path)
    assert status == 404


def test_static_symlink_out_of_the_directory_is_404(site):
    os.symlink(site / "secret.txt", site / "static" / "leak.txt")
    r = dyne.App().client.get("/static/leak.txt")
    assert r.status_code == 404
    assert "top secret" not in r.text


@pytest.mark.parametrize(
    "raw_path",
    [
        b"/static/.env",
        b"/static/.git/config",
        b"/static/js/.app.js.swp",
        b"/static/%2egit/config",
        b"/static/js/%2Eapp.js.swp",
    ],
)
def test_static_hidden_files_are_404(site, raw_path):
    # A static folder can hold what nobody meant to publish: a .env, a checkout's .git,
    # an editor's swap file. Names starting with "." are never served.
    static = site / "static"
    (static / ".env").write_text("SECRET_KEY=hunter2")
    (static / ".git").mkdir()
    (static / ".git" / "config").write_text("[remote] url=secret")
    (static / "js" / ".app.js.swp").write_text("swap secret")
    status, body = raw_get(dyne.App(), raw_path)
    assert status == 404
    assert b"secret" not in body.lower()


def test_static_well_known_folder_is_still_served(site):
    (site / "static" / ".well-known").mkdir()
    (site / "static" / ".well-known" / "security.txt").write_text("Contact: x")
    assert dyne.App().client.get("/static/.well-known/security.txt").text == "Contact: x"


def test_static_symlink_loop_is_404(site):
    # os.stat raises ELOOP, an OSError Starlette re-raises: it was a 500.
    os.symlink("loop", site / "static" / "loop")
    status, _ = raw_get(dyne.App(), b"/static/loop")
    assert status == 404
    status, _ = raw_get(dyne.App(), b"/static/loop/app.js")
    assert status == 404


def test_static_files_are_not_gzipped(site):
    (site / "static" / "big.txt").write_text("a" * 10_000)
    r = dyne.App().client.get("/static/big.txt", headers={"accept-encoding": "gzip"})
    assert r.status_code == 200
    assert "content-encoding" not in r.headers
    assert len(r.content) == 10_000


# -- single-page app ---------------------------------------------------------------------


def test_spa_tour_sample_serves_index_at_root(site):
    app = dyne.App()
    app.add_route("/", static=True)
    r = app.client.get("/")
    assert r.status_code == 200
    assert r.text == INDEX
    assert r.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/about", "/users/42/profile", "/deep/link?tab=2"])
def test_spa_unknown_get_routes_serve_index(spa, path):
    r = spa.client.get(path)
    assert r.status_code == 200
    assert r.text == INDEX


def test_spa_head_of_unknown_route_is_answered(spa):
    r = spa.client.head("/anything")
    assert r.status_code == 200
    assert r.content == b""


def test_spa_real_routes_still_answer(spa):
    assert spa.client.get("/api/items/3").json() == {"id": 3}


def test_spa_real_route_404_stays_404(spa):
    assert spa.client.get("/api/items/99").status_code == 404


def test_spa_missing_static_asset_stays_404(spa):
    r = spa.client.get("/static/js/nope.js")
    assert r.status_code == 404
    assert INDEX not in r.text


def test_spa_other_methods_on_unknown_routes_are_404(spa):
    assert spa.client.post("/about").status_code == 404


def test_spa_wrong_method_on_real_route_stays_405(spa):
    assert spa.client.post("/api/items/3").status_code == 405


def test_spa_missing_index_is_404(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "static").mkdir()
    app = dyne.App()
    app.add_route("/", static=True)
    assert app.client.get("/").status_code == 404
    assert app.client.get("/elsewhere").status_code == 404


def test_spa_without_static_dir_is_a_registration_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(static_dir=None)
    with pytest.raises(RouteError, match="static_dir"):
        app.add_route("/", static=True)


def test_spa_example_serves_the_app_and_its_api(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = load_example("spa").app
    assert '<div id="app">' in app.client.get("/").text
    assert '<div id="app">' in app.client.get("/some/client/route").text
    assert app.client.get("/api/hello").json() == {"hello": "world"}
    assert app.client.get("/static/index.html").status_code == 200
    assert app.client.get("/static/missing.css").status_code == 404
    app.client.close()
