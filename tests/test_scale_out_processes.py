"""Scale-out proof with real processes: two uvicorn web processes (`dyne run`, one shared
SECRET_KEY, the same Redis) and a `dyne worker` process, requests alternating between A and B.

Every wait is bounded; every process is stopped by its PID when the module ends.
"""

from __future__ import annotations

import os
import signal
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from redis_support import REDIS_URL, redis_client
from support import ChildProcess, free_port

pytest.importorskip("dramatiq")
websockets_client = pytest.importorskip("websockets.sync.client")

WAIT = 30  # seconds any one step may take before the test fails

APP = textwrap.dedent(
    """
    import os

    import redis

    import dyne
    from dyne.ext.auth import DigestAuth, authenticate
    from dyne.ext.redis import RedisBroadcast, RedisReplayStore, RedisSessionStore
    from dyne.ext.tasks import TaskQueue

    URL = os.environ["SCALE_REDIS_URL"]
    P = os.environ["SCALE_PREFIX"]

    app = dyne.App(session_store=RedisSessionStore(URL, prefix=P + "session:"))
    app.broadcast.backend = RedisBroadcast(URL, prefix=P + "broadcast:")
    tasks = TaskQueue(
        app,
        URL,
        namespace=P + "tasks",
        max_retries=1,
        min_backoff=0.05,
        max_backoff=0.2,
        redelivery_after=2,
        maintenance_chance=1_000_000,
    )
    digest = DigestAuth(replay_store=RedisReplayStore(URL, prefix=P + "digest:"))
    r = redis.Redis.from_url(URL)


    @digest.get_password
    def get_password(username):
        return {"john": "hello"}.get(username)


    @app.background.task
    def record(value):
        r.rpush(P + "done", f"{value}:{os.getpid()}")


    @app.background.task
    async def flaky(value):
        if r.incr(P + "flaky-attempts") == 1:
            raise RuntimeError("the first attempt fails")
        r.rpush(P + "done", f"{value}:{os.getpid()}")


    @app.background.task
    def broken(order_id):
        r.rpush(P + "broken-attempts", order_id)
        raise RuntimeError(f"cannot ship order {order_id}")


    @app.background.task
    def slow(value):
        r.rpush(P + "started", os.getpid())
        r.blpop([P + "release"], timeout=60)
        r.rpush(P + "done", f"{value}:{os.getpid()}")


    @app.route("/pid")
    def pid(req, resp):
        resp.text = str(os.getpid())


    @app.route("/session/set/{value}")
    def session_set(req, resp, value):
        resp.session["value"] = value


    @app.route("/session/get")
    def session_get(req, resp):
        resp.media = {"value": req.session.get("value")}


    @app.route("/digest")
    @authenticate(digest)
    def protected(req, resp):
        resp.text = req.state.user


    @app.route("/task/{name}/{value}", methods=["POST"])
    def enqueue(req, resp, name, value):
        resp.media = {"id": {"record": record, "flaky": flaky, "broken": broken, "slow": slow}[
            name
        ](value)}


    @app.route("/failed")
    def failed(req, resp):
        resp.media = [
            {"name": f.name, "args": f.args, "retries": f.retries} for f in tasks.failed()
        ]


    @app.route("/say/{text}", methods=["POST"])
    async def say(req, resp, text):
        await app.broadcast.publish("news", text)


    @app.route("/listen", websocket=True)
    async def listen(ws):
        await ws.accept()
        async with app.broadcast.subscribe("news") as messages:
            await ws.send_text("ready")
            async for message in messages:
                await ws.send_text(message)
                break
        await ws.close()
    """
)


class Cluster:
    """Web processes A and B and a task worker, sharing one Redis and one SECRET_KEY."""

    def __init__(self, directory: Path, prefix: str) -> None:
        self.directory = directory
        self.prefix = prefix
        self.env = dict(
            os.environ,
            SECRET_KEY="one-secret-key-shared-by-every-worker",
            SCALE_REDIS_URL=REDIS_URL,
            SCALE_PREFIX=prefix,
            PYTHONUNBUFFERED="1",
        )
        self.env.pop("DEBUG", None)
        self.processes: list[ChildProcess] = []
        self.ports = [free_port(), free_port()]
        self.web = [self._web(port) for port in self.ports]
        self.worker = self.start_worker()

    def _spawn(self, *args: str) -> ChildProcess:
        process = ChildProcess(
            [sys.executable, "-m", "dyne", "--app", "scale_app", *args],
            self.directory,
            self.env,
            wait=WAIT,
        )
        self.processes.append(process)
        return process

    def _web(self, port: int) -> ChildProcess:
        process = self._spawn("run", "--port", str(port), "--no-reload")
        process.wait_for("Application startup complete")
        return process

    def start_worker(self) -> ChildProcess:
        process = self._spawn("worker", "--concurrency", "2", "--shutdown-timeout", "20")
        process.wait_for("Worker started")
        return process

    def url(self, which: int, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[which]}{path}"

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


@pytest.fixture(scope="module")
def redis():
    client = redis_client()
    yield client
    client.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, redis) -> Iterator[Cluster]:
    directory = tmp_path_factory.mktemp("scale_out")
    (directory / "scale_app.py").write_text(APP, encoding="utf-8")
    prefix = f"dyne-test-{uuid.uuid4().hex}:"
    cluster = Cluster.__new__(Cluster)
    try:
        Cluster.__init__(cluster, directory, prefix)
        yield cluster
    finally:
        if hasattr(cluster, "processes"):
            cluster.stop()
        keys = list(redis.scan_iter(match=prefix + "*", count=1000))
        if keys:
            redis.delete(*keys)


@pytest.fixture
def http() -> Iterator[httpx2.Client]:
    with httpx2.Client(timeout=WAIT) as client:
        yield client


def pop(redis, key: str) -> str:
    item = redis.blpop([key], timeout=WAIT)
    assert item is not None, f"nothing arrived on {key} within {WAIT} s"
    return item[1].decode()


def test_scale_out_requests_alternate_between_two_processes(cluster, http):
    pids = {http.get(cluster.url(n, "/pid")).text for n in (0, 1, 0, 1)}
    assert len(pids) == 2


def test_scale_out_session_set_on_a_is_read_on_b(cluster, http):
    http.get(cluster.url(0, "/session/set/blue"))
    assert http.get(cluster.url(1, "/session/get")).json() == {"value": "blue"}


def test_scale_out_digest_answered_on_a_is_refused_as_a_replay_on_b(cluster, http):
    answered = http.get(cluster.url(0, "/digest"), auth=httpx2.DigestAuth("john", "hello"))
    assert answered.status_code == 200
    captured = answered.request.headers["authorization"]
    replay = http.get(cluster.url(1, "/digest"), headers={"Authorization": captured})
    assert replay.status_code == 401


def test_scale_out_task_enqueued_on_a_runs_in_the_worker(cluster, http, redis):
    assert http.post(cluster.url(0, "/task/record/hello")).status_code == 200
    value, pid = pop(redis, cluster.prefix + "done").split(":")
    assert (value, int(pid)) == ("hello", cluster.worker.pid)


def test_scale_out_failing_task_is_retried_logged_and_listed(cluster, http, redis):
    http.post(cluster.url(1, "/task/broken/7"))
    assert pop(redis, cluster.prefix + "broken-attempts") == "7"
    assert pop(redis, cluster.prefix + "broken-attempts") == "7"  # the retry
    line = cluster.worker.wait_for("scale_app.broken failed for good")
    assert "args=('7',)" in line
    assert "cannot ship order 7" in cluster.worker.output  # the traceback
    failed = http.get(cluster.url(0, "/failed")).json()
    assert {"name": "scale_app.broken", "args": ["7"], "retries": 1} in failed


def test_scale_out_retry_succeeds(cluster, http, redis):
    http.post(cluster.url(0, "/task/flaky/again"))
    assert pop(redis, cluster.prefix + "done").startswith("again:")
    assert int(redis.get(cluster.prefix + "flaky-attempts")) == 2
    assert cluster.worker.wait_for("scale_app.flaky failed (attempt 1 of 2)")


def test_scale_out_broadcast_from_a_reaches_a_websocket_on_b(cluster, http):
    ws_url = cluster.url(1, "/listen").replace("http://", "ws://")
    with websockets_client.connect(ws_url, open_timeout=WAIT) as ws:
        assert ws.recv(timeout=WAIT) == "ready"
        http.post(cluster.url(0, "/say/hello"))
        assert ws.recv(timeout=WAIT) == "hello"


def test_scale_out_worker_stopped_with_sigterm_finishes_its_task(cluster, http, redis):
    worker = cluster.worker
    http.post(cluster.url(0, "/task/slow/graceful"))
    assert int(pop(redis, cluster.prefix + "started")) == worker.pid
    worker.popen.send_signal(signal.SIGTERM)
    worker.wait_for("Worker stopping")
    redis.rpush(cluster.prefix + "release", "go")
    assert pop(redis, cluster.prefix + "done") == f"graceful:{worker.pid}"
    assert worker.popen.wait(timeout=WAIT) == 0
    cluster.worker = cluster.start_worker()


def test_scale_out_task_of_a_killed_worker_runs_on_another(cluster, http, redis):
    killed = cluster.worker
    http.post(cluster.url(1, "/task/slow/survivor"))
    assert int(pop(redis, cluster.prefix + "started")) == killed.pid
    killed.popen.send_signal(signal.SIGKILL)
    killed.popen.wait(timeout=WAIT)
    cluster.worker = replacement = cluster.start_worker()
    # Once the dead worker misses its heartbeats (2 s here), its task goes back on the queue.
    assert int(pop(redis, cluster.prefix + "started")) == replacement.pid
    redis.rpush(cluster.prefix + "release", "go")
    assert pop(redis, cluster.prefix + "done") == f"survivor:{replacement.pid}"


def test_scale_out_web_requests_work_while_no_worker_runs(cluster, http, redis):
    # Tasks wait in Redis; the web processes do not need a worker to answer.
    cluster.worker.stop()
    try:
        assert http.post(cluster.url(0, "/task/record/later")).status_code == 200
    finally:
        cluster.worker = cluster.start_worker()
    value, pid = pop(redis, cluster.prefix + "done").split(":")
    assert (value, int(pid)) == ("later", cluster.worker.pid)
