"""Background tasks: ``@app.background.task``, errors logged, shutdown waits (bounded)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import dyne
from support import load_example

WAIT = 10  # seconds: an upper bound for waiting on an event, never a timing assertion


def test_background_task_returns_before_the_task_finishes(app, client):
    gate = threading.Event()
    finished = threading.Event()

    @app.background.task
    def slow():
        gate.wait(WAIT)
        finished.set()

    @app.route("/")
    def view(req, resp):
        slow()
        resp.text = "processing"

    assert client.get("/").text == "processing"
    assert not finished.is_set()
    gate.set()
    assert finished.wait(WAIT)


def test_background_sync_task_runs_in_a_worker_thread(app, client):
    names = []
    done = threading.Event()

    @app.background.task
    def record():
        names.append(threading.current_thread().name)
        done.set()

    @app.route("/")
    async def view(req, resp):
        record()

    client.get("/")
    assert done.wait(WAIT)
    assert names[0].startswith("dyne-background")


def test_background_coroutine_task_runs_on_the_app_event_loop(app, client):
    loops = {}
    done = threading.Event()

    @app.background.task
    async def record(where):
        loops[where] = asyncio.get_running_loop()
        if len(loops) == 2:
            done.set()

    @app.route("/async")
    async def from_async(req, resp):
        loops["view"] = asyncio.get_running_loop()
        record("async")

    @app.route("/sync")
    def from_sync(req, resp):
        record("sync")

    client.get("/async")
    client.get("/sync")
    assert done.wait(WAIT)
    assert loops["async"] is loops["view"]
    assert loops["sync"] is loops["view"]


def test_background_task_accepts_arguments(app, client):
    seen = []
    done = threading.Event()

    @app.background.task
    def store(a, b=0):
        seen.append(a + b)
        done.set()

    @app.route("/")
    def view(req, resp):
        store(1, b=2)

    client.get("/")
    assert done.wait(WAIT)
    assert seen == [3]


def test_background_task_exception_is_logged_with_traceback(app, client, caplog):
    @app.background.task
    def explode():
        raise ValueError("kaboom in the background")

    @app.route("/")
    def view(req, resp):
        explode()
        resp.text = "ok"

    with caplog.at_level(logging.ERROR, logger="dyne.background"):
        assert client.get("/").status_code == 200
        client.close()  # shutdown waits for the task, so its failure is logged by now
    failures = [r for r in caplog.records if r.name == "dyne.background"]
    assert len(failures) == 1
    assert "explode" in failures[0].getMessage()
    assert failures[0].exc_info[0] is ValueError
    assert "kaboom in the background" in caplog.text
    assert "Traceback" in caplog.text


def test_background_coroutine_exception_is_logged(app, client, caplog):
    @app.background.task
    async def explode():
        raise RuntimeError("async kaboom")

    @app.route("/")
    async def view(req, resp):
        explode()

    with caplog.at_level(logging.ERROR, logger="dyne.background"):
        client.get("/")
        client.close()
    assert "async kaboom" in caplog.text


def test_background_shutdown_waits_for_running_tasks(app, client):
    gate = threading.Event()
    results = []

    @app.background.task
    def work():
        gate.wait(WAIT)
        results.append("done")

    @app.on_event("shutdown")
    def open_gate():
        # Runs at the start of shutdown: the task can only finish after shutdown began.
        gate.set()

    @app.route("/")
    def view(req, resp):
        work()

    client.get("/")
    assert results == []
    client.close()
    assert results == ["done"]
    assert app.background.pending == 0


def test_background_shutdown_timeout_is_configurable(tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(background_timeout=0.05)
    gate = threading.Event()

    @app.background.task
    def stuck():
        gate.wait(WAIT)

    @app.route("/")
    def view(req, resp):
        stuck()

    try:
        with caplog.at_level(logging.WARNING, logger="dyne.background"):
            app.client.get("/")
            app.client.close()  # returns although the task is still blocked
        assert app.background_timeout == 0.05
        assert "still running" in caplog.text
        assert app.background.pending == 1
    finally:
        gate.set()


def test_background_run_schedules_a_plain_call(app, client):
    done = threading.Event()

    @app.route("/")
    def view(req, resp):
        app.background.run(done.set)

    client.get("/")
    assert done.wait(WAIT)


def test_background_tour_sample_runs(app, client, monkeypatch):
    slept = []
    printed = threading.Event()
    monkeypatch.setattr(time, "sleep", slept.append)
    monkeypatch.setattr("builtins.print", lambda *args: printed.set())

    @app.route("/")
    def hello(req, resp):
        @app.background.task
        def sleep(s=10):
            time.sleep(s)
            print("slept!")

        sleep()
        resp.content = "processing"

    r = client.get("/")
    assert r.text == "processing"
    assert printed.wait(WAIT)
    assert slept == [10]


def test_background_example_finishes_reports_before_shutdown_completes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = load_example("background").app
    r = app.client.post("/reports/7")
    assert r.status_code == 202
    assert r.json() == {"status": "processing"}
    app.client.close()  # shutdown waits for both tasks
    assert app.state.reports[7] == sum(i * i for i in range(200_000))
    assert app.state.reports["notified"] == [7]
