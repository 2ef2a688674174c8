"""app.health(): liveness and readiness endpoints and their checks."""

from __future__ import annotations

import asyncio
import logging

import pytest

import dyne


@pytest.fixture
def quiet_health():
    """Failing checks log warnings on ``dyne.health``: keep them off the output."""
    logger = logging.getLogger("dyne.health")
    logger.disabled = True
    yield
    logger.disabled = False


def test_health_live_answers_ok(app, client):
    app.health()
    r = client.get("/health/live")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})
    assert r.headers["cache-control"] == "no-store"


def test_health_ready_without_checks_is_ok(app, client):
    app.health()
    assert client.get("/health/ready").json() == {"status": "ok", "checks": {}}


def test_health_ready_runs_sync_and_async_checks(app, client):
    app.add_health_check("cache", lambda: True)

    async def queue():
        return None

    app.add_health_check("queue", queue)
    app.health()
    r = client.get("/health/ready")
    assert r.status_code == 200
    assert r.json()["checks"] == {"cache": "ok", "queue": "ok"}


def test_health_ready_failing_check_is_503_without_its_message(app, client, quiet_health):
    def database():
        raise ConnectionError("password authentication failed for user admin")

    app.add_health_check("database", database)
    app.add_health_check("cache", lambda: True)
    app.health()
    r = client.get("/health/ready")
    assert r.status_code == 503
    assert r.json() == {"status": "fail", "checks": {"database": "fail", "cache": "ok"}}
    assert "password" not in r.text


def test_health_ready_check_returning_false_fails(app, client, quiet_health):
    app.add_health_check("flag", lambda: False)
    app.health()
    assert client.get("/health/ready").json()["checks"] == {"flag": "fail"}


def test_health_ready_slow_check_times_out(app, client, quiet_health):
    async def stuck():
        await asyncio.Event().wait()

    app.add_health_check("stuck", stuck)
    app.health(timeout=0.05)
    r = client.get("/health/ready")
    assert (r.status_code, r.json()["checks"]) == (503, {"stuck": "timeout"})


def test_health_custom_path(app, client):
    app.health("/_status/")
    assert client.get("/_status/live").status_code == 200


def test_health_check_must_be_callable(app):
    with pytest.raises(TypeError, match="callable"):
        app.add_health_check("db", "SELECT 1")


def test_health_left_out_of_the_access_log(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(access_log=True)
    app.health()
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("dyne.access")
    logger.addHandler(handler)
    try:
        app.client.get("/health/live")
        app.client.get("/health/ready")
        app.client.get("/other")
    finally:
        logger.removeHandler(handler)
    assert [r.status for r in records] == [404]


def test_health_observe_keeps_it_in_the_access_log(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(access_log=True)
    app.health(observe=True)
    assert app.unobserved_paths == set()


def test_health_behind_a_proxy_prefix_left_out_of_the_access_log(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(access_log=True)
    app.health()
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("dyne.access")
    logger.addHandler(handler)
    try:
        from dyne.testing import TestClient

        client = TestClient(app, root_path="/api")
        assert client.get("/api/health/live").status_code == 200
    finally:
        logger.removeHandler(handler)
    assert records == []
