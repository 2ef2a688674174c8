"""Lifespan: startup and shutdown events, sync or async; a failing startup stops the server."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import dyne
from dyne.testing import TestClient


def test_lifespan_startup_events_run_before_the_first_request(app):
    calls = []

    @app.on_event("startup")
    def sync_start():
        calls.append("sync")

    @app.on_event("startup")
    async def async_start():
        calls.append("async")

    @app.route("/")
    def view(req, resp):
        resp.media = calls

    assert app.client.get("/").json() == ["sync", "async"]
    app.client.close()


def test_lifespan_shutdown_events_run_when_the_client_closes(app):
    calls = []

    @app.on_event("shutdown")
    async def async_stop():
        calls.append("async")

    @app.on_event("shutdown")
    def sync_stop():
        calls.append("sync")

    app.client.get("/")
    assert calls == []
    app.client.close()
    assert calls == ["async", "sync"]


def test_lifespan_on_event_accepts_a_function_argument(app):
    calls = []
    app.on_event("startup", lambda: calls.append("started"))
    with TestClient(app):
        assert calls == ["started"]


def test_lifespan_unknown_event_is_rejected(app):
    with pytest.raises(ValueError, match="Unknown event 'startpu'"):
        app.on_event("startpu")


def test_lifespan_startup_error_reaches_the_test_client(app):
    @app.on_event("startup")
    async def broken():
        raise RuntimeError("database unreachable")

    with pytest.raises(RuntimeError, match="database unreachable"), TestClient(app):
        pass


def test_lifespan_shutdown_is_skipped_when_startup_failed(app):
    calls = []

    @app.on_event("startup")
    def broken():
        raise RuntimeError("no")

    @app.on_event("shutdown")
    def stop():
        calls.append("stop")

    with pytest.raises(RuntimeError), TestClient(app):
        pass
    assert calls == []


def test_lifespan_startup_error_stops_uvicorn_with_the_error(tmp_path):
    script = tmp_path / "server.py"
    script.write_text(
        textwrap.dedent(
            """
            import socket
            import uvicorn
            import dyne

            app = dyne.App()

            @app.on_event("startup")
            def broken():
                raise RuntimeError("startup exploded on purpose")

            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            config = uvicorn.Config(app, lifespan="on", log_level="error")
            uvicorn.Server(config).run(sockets=[sock])
            raise SystemExit(3)
            """
        )
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3
    assert "startup exploded on purpose" in done.stderr


def test_lifespan_startup_state_is_visible_to_views(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App()

    @app.on_event("startup")
    async def startup():
        app.state.greeting = "hi"

    @app.route("/")
    async def view(req, resp):
        resp.text = req.app.state.greeting

    assert app.client.get("/").text == "hi"
    app.client.close()
