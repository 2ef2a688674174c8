"""WebSockets: accept, send/receive in three formats, close; bad frames and disconnects."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from starlette.websockets import WebSocketDisconnect

import dyne

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WAIT = 10  # seconds: an upper bound for waiting on an event, never a timing assertion


def load_example(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def echo_app(app: dyne.App, ended: threading.Event | None = None) -> None:
    @app.route("/text", websocket=True)
    async def text(ws):
        await ws.accept()
        try:
            while True:
                await ws.send_text(await ws.receive_text())
        finally:
            if ended is not None:
                ended.set()

    @app.route("/json", websocket=True)
    async def json_(ws):
        await ws.accept()
        while True:
            await ws.send_json(await ws.receive_json())

    @app.route("/bytes", websocket=True)
    async def bytes_(ws):
        await ws.accept()
        while True:
            await ws.send_bytes(await ws.receive_bytes())

    @app.route("/json-binary", websocket=True)
    async def json_binary(ws):
        await ws.accept()
        while True:
            await ws.send_json(await ws.receive_json(mode="binary"), mode="binary")


def test_websocket_tour_sample_greets(app, client):
    @app.route("/ws", websocket=True)
    async def websocket(ws):
        await ws.accept()
        while True:
            name = await ws.receive_text()
            await ws.send_text(f"Hello {name}!")
        await ws.close()

    with client.websocket_connect("/ws") as ws:
        ws.send_text("Ada")
        assert ws.receive_text() == "Hello Ada!"
        ws.send_text("Alan")
        assert ws.receive_text() == "Hello Alan!"


def test_websocket_text_round_trip(app, client):
    echo_app(app)
    with client.websocket_connect("/text") as ws:
        ws.send_text("héllo")
        assert ws.receive_text() == "héllo"


def test_websocket_json_round_trip(app, client):
    echo_app(app)
    with client.websocket_connect("/json") as ws:
        ws.send_json({"a": [1, 2, None]})
        assert ws.receive_json() == {"a": [1, 2, None]}


def test_websocket_bytes_round_trip(app, client):
    echo_app(app)
    with client.websocket_connect("/bytes") as ws:
        ws.send_bytes(b"\x00\xff")
        assert ws.receive_bytes() == b"\x00\xff"


def test_websocket_json_binary_mode_round_trip(app, client):
    echo_app(app)
    with client.websocket_connect("/json-binary") as ws:
        ws.send_json({"x": 1}, mode="binary")
        assert ws.receive_json(mode="binary") == {"x": 1}


def test_websocket_close_sends_the_code(app, client):
    @app.route("/ws", websocket=True)
    async def view(ws):
        await ws.accept()
        await ws.close(code=4000)

    with client.websocket_connect("/ws") as ws:
        message = ws.receive()
    assert message == {"type": "websocket.close", "code": 4000, "reason": ""}


def test_websocket_invalid_json_closes_with_1007(app, client):
    echo_app(app)
    with client.websocket_connect("/json") as ws:
        ws.send_text("{not json")
        message = ws.receive()
    assert message["type"] == "websocket.close"
    assert message["code"] == 1007


@pytest.mark.parametrize("frame", ["[NaN]", '{"n": Infinity}', "[1e400]"])
def test_websocket_non_finite_json_number_closes_with_1007(app, client, frame):
    echo_app(app)
    with client.websocket_connect("/json") as ws:
        ws.send_text(frame)
        message = ws.receive()
    assert message["code"] == 1007


def test_websocket_invalid_utf8_json_closes_with_1007(app, client):
    echo_app(app)
    with client.websocket_connect("/json-binary") as ws:
        ws.send_bytes(b"\xff\xfe{")
        message = ws.receive()
    assert message["code"] == 1007


def test_websocket_binary_frame_where_text_expected_closes_with_1003(app, client):
    echo_app(app)
    with client.websocket_connect("/text") as ws:
        ws.send_bytes(b"binary")
        message = ws.receive()
    assert message["type"] == "websocket.close"
    assert message["code"] == 1003


def test_websocket_text_frame_where_bytes_expected_closes_with_1003(app, client):
    echo_app(app)
    with client.websocket_connect("/bytes") as ws:
        ws.send_text("text")
        message = ws.receive()
    assert message["code"] == 1003


def test_websocket_bad_frame_leaves_the_app_serving(app, client, caplog):
    echo_app(app)
    with caplog.at_level(logging.ERROR), client.websocket_connect("/json") as ws:
        ws.send_text("nope")
        assert ws.receive()["code"] == 1007
    with client.websocket_connect("/json") as ws:
        ws.send_json([1])
        assert ws.receive_json() == [1]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_websocket_client_disconnect_mid_handler_ends_cleanly(app, client, caplog):
    ended = threading.Event()
    echo_app(app, ended)
    with caplog.at_level(logging.ERROR), client.websocket_connect("/text") as ws:
        ws.send_text("one")
        assert ws.receive_text() == "one"
    assert ended.wait(WAIT)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_websocket_client_disconnect_before_first_frame_ends_cleanly(app, client, caplog):
    ended = threading.Event()
    echo_app(app, ended)
    with caplog.at_level(logging.ERROR), client.websocket_connect("/text"):
        pass
    assert ended.wait(WAIT)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_websocket_unknown_path_is_refused_with_1008(app, client):
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/nowhere"):
        pass
    assert refused.value.code == 1008


def test_websocket_handshake_to_http_route_is_refused_with_1008(app, client):
    @app.route("/page")
    def page(req, resp):
        resp.text = "page"

    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/page"):
        pass
    assert refused.value.code == 1008
    assert client.get("/page").text == "page"


def test_websocket_route_is_not_an_http_route(app, client):
    echo_app(app)
    assert client.get("/text").status_code == 404


def test_websocket_path_params_are_passed(app, client):
    @app.route("/rooms/{room_id:int}", websocket=True)
    async def room(ws, room_id):
        await ws.accept()
        await ws.send_json({"room": room_id})
        await ws.close()

    with client.websocket_connect("/rooms/7") as ws:
        assert ws.receive_json() == {"room": 7}


def test_websocket_params_reads_the_query_string_like_a_request(app, client):
    @app.route("/search", websocket=True)
    async def search(ws):
        await ws.accept()
        await ws.send_json({"q": ws.params["q"], "tags": ws.params.get_list("tag")})
        await ws.close()

    with client.websocket_connect("/search?q=dyne&tag=a&tag=b") as ws:
        assert ws.receive_json() == {"q": "dyne", "tags": ["a", "b"]}


def test_websocket_query_params_still_reads_the_query_string(app, client):
    @app.route("/search", websocket=True)
    async def search(ws):
        await ws.accept()
        await ws.send_text(ws.query_params["q"])
        await ws.close()

    with client.websocket_connect("/search?q=dyne") as ws:
        assert ws.receive_text() == "dyne"


def test_websocket_view_error_closes_with_1011_and_is_logged(app, client, caplog):
    @app.route("/ws", websocket=True)
    async def broken(ws):
        await ws.accept()
        raise KeyError("missing thing")

    with caplog.at_level(logging.ERROR, logger="dyne"), client.websocket_connect("/ws") as ws:
        message = ws.receive()
    assert message["code"] == 1011
    assert "KeyError" in caplog.text


def test_websocket_receive_before_accept_is_explained(app, client, caplog):
    @app.route("/ws", websocket=True)
    async def forgot(ws):
        await ws.receive_text()

    with (
        caplog.at_level(logging.ERROR, logger="dyne"),
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/ws"),
    ):
        pass
    assert closed.value.code == 1011
    assert "call 'await ws.accept()' first" in caplog.text


def test_websocket_reaches_the_app(app, client):
    app.state.motd = "welcome"

    @app.route("/ws", websocket=True)
    async def view(ws):
        await ws.accept()
        await ws.send_text(ws.app.state.motd)
        await ws.close()

    with client.websocket_connect("/ws") as ws:
        assert ws.receive_text() == "welcome"


def test_websocket_example_greets_and_adds(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = load_example("websocket_app").app
    with app.client.websocket_connect("/ws") as ws:
        ws.send_text("Dyne")
        assert ws.receive_text() == "Hello Dyne!"
    with app.client.websocket_connect("/ws/sum") as ws:
        ws.send_json({"numbers": [1, 2, 3.5]})
        assert ws.receive_json() == {"sum": 6.5}
        ws.send_json({"numbers": ["x"]})
        assert "error" in ws.receive_json()
        ws.send_text("][")
        assert ws.receive()["code"] == 1007
    app.client.close()


# -- over a real server ------------------------------------------------------------------


def _serve(app: dyne.App, **options: str) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 (a socket bound here, so no polling)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)  # connections queue until uvicorn accepts them: no need to poll
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_level="critical", **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
    thread.start()
    try:
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(WAIT)
        sock.close()


@pytest.fixture
def served(app) -> Iterator[str]:
    """``app`` on a real uvicorn server."""
    yield from _serve(app)


@pytest.fixture
def served_under_api(app) -> Iterator[str]:
    """``app`` on a real uvicorn server behind the proxy prefix ``--root-path /api``."""
    yield from _serve(app, root_path="/api")


def test_websocket_route_answers_behind_a_root_path_on_a_real_server(app, served_under_api):
    websockets_client = pytest.importorskip("websockets.asyncio.client")
    echo_app(app)

    async def talk():
        # The proxy strips /api; uvicorn puts it back in the scope's path (ASGI spec).
        url = served_under_api + "/text"
        async with websockets_client.connect(url, open_timeout=WAIT) as ws:
            await ws.send("ping")
            return await ws.recv()

    assert asyncio.run(talk()) == "ping"


def test_websocket_unknown_path_handshake_gets_403_from_a_real_server(app, served):
    websockets_client = pytest.importorskip("websockets.asyncio.client")
    from websockets.exceptions import InvalidStatus

    async def connect():
        async with websockets_client.connect(served + "/nowhere", open_timeout=WAIT):
            pass

    with pytest.raises(InvalidStatus) as refused:
        asyncio.run(connect())
    assert refused.value.response.status_code == 403


def test_websocket_disconnect_mid_handler_on_a_real_server_is_clean(app, served, caplog):
    websockets_client = pytest.importorskip("websockets.asyncio.client")
    ended = threading.Event()
    echo_app(app, ended)

    async def talk():
        async with websockets_client.connect(served + "/text", open_timeout=WAIT) as ws:
            await ws.send("ping")
            return await ws.recv()

    with caplog.at_level(logging.ERROR):
        assert asyncio.run(talk()) == "ping"
        assert ended.wait(WAIT)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_websocket_invalid_json_on_a_real_server_closes_with_1007(app, served):
    websockets_client = pytest.importorskip("websockets.asyncio.client")
    from websockets.exceptions import ConnectionClosed

    echo_app(app)

    async def talk():
        async with websockets_client.connect(served + "/json", open_timeout=WAIT) as ws:
            await ws.send("{oops")
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            return closed.value.rcvd.code

    assert asyncio.run(talk()) == 1007
