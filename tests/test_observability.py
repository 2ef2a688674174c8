"""Request IDs (req.id, X-Request-ID, log records, background tasks) and the access log."""

from __future__ import annotations

import json
import logging
import re
import threading

import pytest

import dyne
from dyne.observability import JSONFormatter, ReadableFormatter, current_request_id


class Records(logging.Handler):
    """Keeps every record it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def access_records():
    """Records of the ``dyne.access`` logger, captured whatever its handlers do."""
    handler = Records()
    logger = logging.getLogger("dyne.access")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


@pytest.fixture
def user_records():
    """Records of a user's own ``shop`` logger."""
    handler = Records()
    logger = logging.getLogger("shop")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.records
    logger.removeHandler(handler)


def _app(tmp_path, monkeypatch, **options) -> dyne.App:
    monkeypatch.chdir(tmp_path)
    app = dyne.App(**options)

    @app.route("/items/{item_id:int}")
    async def item(req, resp, *, item_id):
        logging.getLogger("shop").info("looking up %s", item_id)
        resp.media = {"id": item_id, "request_id": req.id}

    return app


HEX32 = re.compile(r"[0-9a-f]{32}")


# -- request IDs -------------------------------------------------------------------------


def test_request_id_generated_when_absent(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch, request_id=True)
    r = app.client.get("/items/1")
    assert HEX32.fullmatch(r.headers["x-request-id"])
    assert r.json()["request_id"] == r.headers["x-request-id"]


def test_request_id_safe_incoming_is_kept(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch, request_id=True)
    r = app.client.get("/items/1", headers={"X-Request-ID": "req-42.a:b"})
    assert r.headers["x-request-id"] == "req-42.a:b"
    assert r.json()["request_id"] == "req-42.a:b"


@pytest.mark.parametrize(
    "value",
    ["x" * 129, "a b", "a\tb", "<script>", "a%0d%0aSet-Cookie:x", 'a"b', "é"],
    ids=["too-long", "space", "tab", "markup", "encoded-crlf", "quote", "non-ascii"],
)
def test_request_id_unsafe_incoming_is_replaced(tmp_path, monkeypatch, value):
    app = _app(tmp_path, monkeypatch, request_id=True)
    r = app.client.get("/items/1", headers={"X-Request-ID": value.encode("utf-8")})
    assert r.headers["x-request-id"] != value
    assert HEX32.fullmatch(r.headers["x-request-id"])


def test_request_id_off_by_default(client, app):
    @app.route("/")
    async def home(req, resp):
        resp.media = {"id": req.id}

    r = client.get("/", headers={"X-Request-ID": "abc"})
    assert "x-request-id" not in r.headers
    assert r.json() == {"id": None}


def test_request_id_custom_header(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch, request_id="X-Correlation-ID")
    r = app.client.get("/items/1", headers={"X-Correlation-ID": "corr-1"})
    assert r.headers["x-correlation-id"] == "corr-1"
    assert "x-request-id" not in r.headers


def test_request_id_invalid_header_name_raises(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="request_id"):
        dyne.App(request_id="X Bad\r\nName")


def test_request_id_in_problem_details(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch, request_id=True, problem_details=True)
    r = app.client.get("/nope", headers={"X-Request-ID": "rid-404"})
    assert r.json()["request_id"] == "rid-404"


def test_request_id_on_users_log_records(tmp_path, monkeypatch, user_records):
    app = _app(tmp_path, monkeypatch, request_id=True)
    app.client.get("/items/7", headers={"X-Request-ID": "rid-7"})
    assert [r.request_id for r in user_records] == ["rid-7"]


def test_request_id_on_log_records_of_sync_views(tmp_path, monkeypatch, user_records):
    app = _app(tmp_path, monkeypatch, request_id=True)

    @app.route("/sync")
    def sync_view(req, resp):
        logging.getLogger("shop").info("sync")
        resp.text = "ok"

    app.client.get("/sync", headers={"X-Request-ID": "rid-sync"})
    assert [r.request_id for r in user_records] == ["rid-sync"]


def test_request_id_none_outside_requests(tmp_path, monkeypatch, user_records):
    _app(tmp_path, monkeypatch, request_id=True)
    logging.getLogger("shop").info("at import time")
    assert user_records[0].request_id is None
    assert current_request_id() is None


def test_request_id_reaches_async_background_task(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch, request_id=True)
    seen: list[str | None] = []

    @app.background.task
    async def later():
        seen.append(current_request_id())

    @app.route("/later")
    async def start(req, resp):
        later()
        resp.text = "started"

    with app.client as client:
        client.get("/later", headers={"X-Request-ID": "rid-bg"})
    assert seen == ["rid-bg"]


def test_request_id_reaches_sync_background_task(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch, request_id=True)
    seen: list[str | None] = []
    done = threading.Event()

    @app.background.task
    def later():
        seen.append(current_request_id())
        done.set()

    @app.route("/later")
    async def start(req, resp):
        later()
        resp.text = "started"

    app.client.get("/later", headers={"X-Request-ID": "rid-thread"})
    assert done.wait(10)
    assert seen == ["rid-thread"]


# -- access log --------------------------------------------------------------------------


def test_access_log_one_record_with_route_template(tmp_path, monkeypatch, access_records):
    app = _app(tmp_path, monkeypatch, access_log=True, request_id=True)
    r = app.client.get("/items/12", headers={"X-Request-ID": "rid-a"})
    (record,) = access_records
    assert record.method == "GET"
    assert record.route == "/items/{item_id:int}"
    assert record.status == 200
    assert record.size == len(r.content)
    assert record.duration_ms >= 0
    assert record.client == "testclient"
    assert record.request_id == "rid-a"
    assert "/items/12" not in record.getMessage()


def test_access_log_unmatched_path_is_not_logged_raw(tmp_path, monkeypatch, access_records):
    app = _app(tmp_path, monkeypatch, access_log=True)
    app.client.get("/secret-token-in-path")
    (record,) = access_records
    assert (record.route, record.status) == ("-", 404)
    assert "secret-token" not in record.getMessage()


def test_access_log_method_not_allowed_names_the_route(tmp_path, monkeypatch, access_records):
    app = _app(tmp_path, monkeypatch, access_log=True)
    app.client.post("/items/3")
    (record,) = access_records
    assert (record.route, record.status) == ("/items/{item_id:int}", 405)


def test_access_log_unhandled_error_logged_as_500(tmp_path, monkeypatch, access_records):
    app = _app(tmp_path, monkeypatch, access_log=True)

    @app.route("/boom")
    async def boom(req, resp):
        raise RuntimeError("boom")

    logging.getLogger("dyne").disabled = True
    try:
        app.client.get("/boom")
    finally:
        logging.getLogger("dyne").disabled = False
    assert [r.status for r in access_records] == [500]


def test_access_log_client_is_the_scopes_client(tmp_path, monkeypatch, access_records):
    # What the server says the client is (uvicorn rewrites it from X-Forwarded-For only
    # for trusted proxies); a header the client sends itself is never believed.
    app = _app(tmp_path, monkeypatch, access_log=True)
    app.client.get("/items/1", headers={"X-Forwarded-For": "6.6.6.6"})
    assert access_records[0].client == "testclient"


def test_access_log_off_by_default(client, app, access_records):
    client.get("/")
    assert access_records == []


def test_access_log_invalid_value_raises(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="access_log"):
        dyne.App(access_log="xml")


def test_access_log_json_formatter_line(tmp_path, monkeypatch, access_records):
    app = _app(tmp_path, monkeypatch, access_log="json", request_id=True)
    app.client.get("/items/5", headers={"X-Request-ID": "rid-json"})
    line = json.loads(JSONFormatter().format(access_records[0]))
    assert line["logger"] == "dyne.access"
    assert line["request_id"] == "rid-json"
    assert line["route"] == "/items/{item_id:int}"
    assert line["status"] == 200


def test_access_log_json_formatter_escapes_newlines():
    record = logging.makeLogRecord({"msg": "line one\nforged line", "name": "x"})
    assert "\n" not in JSONFormatter().format(record)


def test_access_log_readable_formatter_line(tmp_path, monkeypatch, access_records):
    app = _app(tmp_path, monkeypatch, access_log=True, request_id=True)
    app.client.get("/items/5", headers={"X-Request-ID": "rid-text"})
    line = ReadableFormatter().format(access_records[0])
    pattern = (
        r'.* INFO dyne\.access \[rid-text\] testclient "GET /items/\{item_id:int\}" '
        r"200 \d+B [\d.]+ms"
    )
    assert re.fullmatch(pattern, line)


def test_access_log_readable_formatter_without_request_id():
    record = logging.makeLogRecord({"msg": "hello", "name": "x", "levelname": "INFO"})
    assert "[-] hello" in ReadableFormatter().format(record)


def test_access_log_skips_unobserved_paths(tmp_path, monkeypatch, access_records):
    app = _app(tmp_path, monkeypatch, access_log=True)
    app.unobserved_paths.add("/items/1")
    app.client.get("/items/1")
    app.client.get("/items/2")
    assert [r.status for r in access_records] == [200]


def test_access_log_refused_host_is_logged(tmp_path, monkeypatch, access_records):
    app = _app(tmp_path, monkeypatch, access_log=True, allowed_hosts=["example.com"])
    app.client.get("/items/1", headers={"host": "evil.test"})
    assert [r.status for r in access_records] == [400]


def test_access_log_run_turns_off_uvicorns(tmp_path, monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    _app(tmp_path, monkeypatch, access_log=True).run()
    assert calls[0]["access_log"] is False


def test_access_log_dyne_run_turns_off_uvicorns(tmp_path, monkeypatch):
    import sys

    import uvicorn
    from click.testing import CliRunner

    from dyne.cli import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    monkeypatch.delitem(sys.modules, "observed_app", raising=False)
    (tmp_path / "observed_app.py").write_text("import dyne\napp = dyne.App(access_log=True)\n")
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **options: calls.append(options))
    result = CliRunner().invoke(cli, ["--app", "observed_app:app", "run"])
    sys.modules.pop("observed_app", None)
    assert result.exit_code == 0, result.output
    assert calls[0]["access_log"] is False


def test_request_id_view_header_is_not_doubled(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch, request_id=True)

    @app.route("/own")
    async def own(req, resp):
        resp.headers["X-Request-ID"] = "from-the-view"

    r = app.client.get("/own", headers={"X-Request-ID": "from-client"})
    assert r.headers.get_list("x-request-id") == ["from-the-view"]


def test_access_log_client_gone_is_499(tmp_path, monkeypatch, access_records):
    app = _app(tmp_path, monkeypatch, access_log=True)

    @app.route("/upload", methods=["POST"])
    async def upload(req, resp):
        await req.content

    async def receive():
        return {"type": "http.disconnect"}

    async def send(message):
        raise AssertionError("nothing is sent to a client that left")

    import asyncio

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "path": "/upload",
        "raw_path": b"/upload",
        "query_string": b"",
        "headers": [(b"host", b"example.com")],
        "client": ("127.0.0.1", 5000),
        "scheme": "http",
        "root_path": "",
    }
    asyncio.run(app(scope, receive, send))
    assert [(r.route, r.status) for r in access_records] == [("/upload", 499)]


def test_access_log_json_time_is_utc_iso8601():
    record = logging.makeLogRecord({"msg": "x", "name": "x", "created": 86400.25})
    assert json.loads(JSONFormatter().format(record))["time"] == "1970-01-02T00:00:00.250Z"
