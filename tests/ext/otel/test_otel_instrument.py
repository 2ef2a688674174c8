"""dyne.ext.otel.instrument(app), checked with the SDK's in-memory span exporter."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.trace import SpanKind, StatusCode

import dyne
from dyne.ext.otel import instrument

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def app(tmp_path, monkeypatch, exporter) -> dyne.App:
    monkeypatch.chdir(tmp_path)
    app = dyne.App(request_id=True)
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))

    @app.route("/items/{item_id:int}", methods=["GET", "POST"])
    async def item(req, resp, *, item_id):
        resp.media = {"id": item_id}

    @app.route("/boom")
    async def boom(req, resp):
        raise RuntimeError("boom")

    instrument(app, tracer_provider=provider)
    return app


def _server_span(exporter):
    (span,) = [s for s in exporter.get_finished_spans() if s.kind == SpanKind.SERVER]
    return span


def test_otel_server_span_named_by_route_template(app, exporter):
    app.client.get("/items/42")
    span = _server_span(exporter)
    assert span.name == "GET /items/{item_id:int}"
    assert span.attributes["http.route"] == "/items/{item_id:int}"


def test_otel_server_span_semantic_attributes(app, exporter):
    app.client.get("/items/42", headers={"user-agent": "probe/1.0"})
    attributes = _server_span(exporter).attributes
    assert attributes["http.request.method"] == "GET"
    assert attributes["http.response.status_code"] == 200
    assert attributes["url.path"] == "/items/42"
    assert attributes["url.scheme"] == "http"
    assert attributes["user_agent.original"] == "probe/1.0"
    assert attributes["network.protocol.version"] == "1.1"
    assert "client.address" in attributes


def test_otel_server_span_leaves_the_query_string_out(app, exporter):
    app.client.get("/items/42?token=secret")
    assert all("secret" not in str(v) for v in _server_span(exporter).attributes.values())


def test_otel_server_span_carries_the_request_id(app, exporter):
    app.client.get("/items/1", headers={"X-Request-ID": "rid-otel"})
    assert _server_span(exporter).attributes["dyne.request_id"] == "rid-otel"


def test_otel_unmatched_path_span_is_named_by_method(app, exporter):
    app.client.get("/nope/123")
    span = _server_span(exporter)
    assert span.name == "GET"
    assert "http.route" not in span.attributes
    assert span.attributes["http.response.status_code"] == 404
    assert span.status.status_code == StatusCode.UNSET  # a 4xx is the client's error


def test_otel_server_error_marks_the_span(app, exporter):
    app.client.get("/boom")
    span = _server_span(exporter)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == "500"


def test_otel_unknown_method_is_other(app, exporter):
    app.client.request("FOO", "/items/1")
    span = _server_span(exporter)
    assert span.attributes["http.request.method"] == "_OTHER"
    assert span.attributes["http.request.method_original"] == "FOO"


def test_otel_incoming_trace_context_is_the_parent(app, exporter):
    app.client.get("/items/1", headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"})
    span = _server_span(exporter)
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert format(span.parent.span_id, "016x") == PARENT_ID


def test_otel_no_incoming_context_starts_a_trace(app, exporter):
    app.client.get("/items/1")
    assert _server_span(exporter).parent is None


def test_otel_health_endpoints_get_no_span(app, exporter):
    app.health()
    app.client.get("/health/live")
    app.client.get("/health/ready")
    assert exporter.get_finished_spans() == ()


def test_otel_async_background_task_span_is_a_child(app, exporter):
    @app.background.task
    async def send_mail():
        return None

    @app.route("/later")
    async def later(req, resp):
        send_mail()
        resp.text = "ok"

    with app.client as client:
        client.get("/later", headers={"X-Request-ID": "rid-bg"})
    spans = {s.name: s for s in exporter.get_finished_spans()}
    task = spans["background test_otel_async_background_task_span_is_a_child.<locals>.send_mail"]
    server = spans["GET /later"]
    assert task.parent.span_id == server.context.span_id
    assert task.attributes["dyne.request_id"] == "rid-bg"


def test_otel_sync_background_task_span_is_a_child(app, exporter):
    done = threading.Event()

    @app.background.task
    def resize():
        done.set()

    @app.route("/later")
    async def later(req, resp):
        resize()
        resp.text = "ok"

    app.client.get("/later")
    assert done.wait(10)
    app.background.executor.shutdown(wait=True)
    (task,) = [s for s in exporter.get_finished_spans() if s.name.startswith("background")]
    assert task.parent.span_id == _server_span(exporter).context.span_id


def test_otel_request_attribute_span_covers_the_session(app, exporter):
    closed: list[str] = []

    class Session:
        pass

    def session_for(req):
        async def close(req, resp, exc):
            closed.append("closed")

        if not hasattr(req.state, "fake_session"):
            req.state.fake_session = Session()
            req.add_finalizer(close)
        return req.state.fake_session

    app.request_properties["db"] = session_for

    @app.route("/uses-db")
    async def uses_db(req, resp):
        assert req.db is req.db
        resp.text = "ok"

    app.client.get("/uses-db", headers={"X-Request-ID": "rid-db"})
    spans = exporter.get_finished_spans()
    (db_span,) = [s for s in spans if s.name == "req.db"]
    assert db_span.parent.span_id == _server_span(exporter).context.span_id
    assert db_span.attributes["dyne.request_id"] == "rid-db"
    assert closed == ["closed"]


def test_otel_request_attribute_unused_makes_no_span(app, exporter):
    app.request_properties["db"] = lambda req: object()
    app.client.get("/items/1")
    assert [s.name for s in exporter.get_finished_spans()] == ["GET /items/{item_id:int}"]


def test_otel_instrument_twice_raises(app):
    with pytest.raises(RuntimeError, match="already instrumented"):
        instrument(app)


def test_otel_alchemical_session_span_is_a_child(tmp_path, monkeypatch, exporter):
    pytest.importorskip("alchemical")
    pytest.importorskip("aiosqlite")
    from sqlalchemy import text

    from dyne.ext.db.alchemical import Alchemical

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ALCHEMICAL_DATABASE_URL", f"sqlite:///{tmp_path / 'otel.db'}")
    app = dyne.App()
    Alchemical(app)

    @app.route("/count")
    async def count(req, resp):
        session = await req.db
        resp.media = {"one": (await session.execute(text("SELECT 1"))).scalar()}

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrument(app, tracer_provider=provider)
    with app.client as client:
        assert client.get("/count").json() == {"one": 1}
    (db_span,) = [s for s in exporter.get_finished_spans() if s.name == "req.db"]
    server = _server_span(exporter)
    assert db_span.parent.span_id == server.context.span_id
    assert db_span.attributes["dyne.request_attribute"] == "db"


# -- WebSocket connections -----------------------------------------------------------------


def _websocket_routes(app):
    @app.route("/ws/{room}", websocket=True)
    async def room(ws, *, room):
        await ws.accept()
        await ws.send_text(room)
        await ws.close()

    @app.route("/ws-boom", websocket=True)
    async def boom(ws):
        await ws.accept()
        raise RuntimeError("boom")


def test_otel_websocket_connection_span_named_by_route_template(app, exporter):
    _websocket_routes(app)
    with app.client.websocket_connect(
        "/ws/lobby", headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"}
    ) as ws:
        assert ws.receive_text() == "lobby"
    span = _server_span(exporter)
    assert span.name == "WEBSOCKET /ws/{room}"
    assert span.attributes["http.route"] == "/ws/{room}"
    assert span.attributes["http.response.status_code"] == 101
    assert span.attributes["dyne.websocket.close_code"] == 1000
    assert span.attributes["url.scheme"] == "ws"
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert span.status.status_code == StatusCode.UNSET


def test_otel_websocket_refused_handshake_span_says_403(app, exporter):
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect), app.client.websocket_connect("/nowhere"):
        pass
    span = _server_span(exporter)
    assert span.name == "WEBSOCKET"
    assert span.attributes["http.response.status_code"] == 403
    assert "http.route" not in span.attributes


def test_otel_websocket_view_error_marks_the_span(app, exporter):
    _websocket_routes(app)
    with app.client.websocket_connect("/ws-boom") as ws:
        assert ws.receive()["code"] == 1011
    span = _server_span(exporter)
    assert span.attributes["dyne.websocket.close_code"] == 1011
    assert span.status.status_code == StatusCode.ERROR
