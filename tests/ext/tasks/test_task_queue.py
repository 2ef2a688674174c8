"""dyne.ext.tasks against a real Redis, with a worker running in a thread of the test."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import dyne
from redis_support import REDIS_URL, free_port

dramatiq = pytest.importorskip("dramatiq")
from dyne.ext.tasks import TaskQueue, TaskQueueUnavailable  # noqa: E402


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return dyne.App()


def queue_for(app, prefix, **options):
    options.setdefault("min_backoff", 0.05)
    options.setdefault("max_backoff", 0.2)
    return TaskQueue(app, REDIS_URL, namespace=prefix + "tasks", **options)


@contextmanager
def worker(queue: TaskQueue, concurrency: int = 2) -> Iterator[None]:
    """Run ``queue``'s worker in a thread; stop it (gracefully) when the block ends."""
    stop = threading.Event()
    thread = threading.Thread(
        target=queue.run_worker, args=(concurrency,), kwargs={"stop": stop}, daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=60)
        assert not thread.is_alive(), "the worker did not stop"


def next_item(redis, key: str) -> str:
    """Wait (bounded) for a task to push to ``key``."""
    item = redis.blpop([key], timeout=20)
    assert item is not None, f"no task pushed to {key} within 20 s"
    return item[1].decode()


def test_task_queue_runs_a_sync_task_in_the_worker(app, redis, prefix):
    queue = queue_for(app, prefix)

    @app.background.task
    def record(value):
        redis.rpush(prefix + "done", value)

    record("sync")
    with worker(queue):
        assert next_item(redis, prefix + "done") == "sync"


def test_task_queue_runs_an_async_task_in_the_worker(app, redis, prefix):
    queue = queue_for(app, prefix)

    @app.background.task
    async def record(value):
        redis.rpush(prefix + "done", value)

    record("async")
    with worker(queue):
        assert next_item(redis, prefix + "done") == "async"


def test_task_queue_registers_tasks_decorated_before_it(app, redis, prefix):
    @app.background.task
    def early(value):
        redis.rpush(prefix + "done", value)

    queue = queue_for(app, prefix)
    early("early")
    with worker(queue):
        assert next_item(redis, prefix + "done") == "early"


def test_task_queue_call_returns_a_message_id(app, prefix):
    queue_for(app, prefix)

    @app.background.task
    def noop():
        pass

    assert isinstance(noop(), str)


def test_task_queue_unserializable_argument_fails_at_the_call_site(app, redis, prefix):
    queue_for(app, prefix)

    @app.background.task
    def record(value):
        pass

    with pytest.raises(TypeError, match=r"argument 'when' \(object\) is not JSON"):
        record(when=object())
    assert list(redis.scan_iter(match=prefix + "*")) == []


def test_task_queue_non_str_dict_key_fails_at_the_call_site(app, prefix):
    queue_for(app, prefix)

    @app.background.task
    def record(value):
        pass

    with pytest.raises(TypeError, match=r"key 1, not a str"):
        record({1: "one"})


def test_task_queue_retry_succeeds(app, redis, prefix):
    queue = queue_for(app, prefix, max_retries=2)

    @app.background.task
    def flaky(value):
        if redis.incr(prefix + "attempts") == 1:
            raise RuntimeError("first attempt fails")
        redis.rpush(prefix + "done", value)

    flaky("second time lucky")
    with worker(queue):
        assert next_item(redis, prefix + "done") == "second time lucky"
    assert int(redis.get(prefix + "attempts")) == 2
    assert queue.failed() == []


def test_task_queue_failing_task_is_retried_then_listed_failed(app, redis, prefix, caplog):
    queue = queue_for(app, prefix, max_retries=1)

    @app.background.task
    def broken(order_id):
        redis.rpush(prefix + "attempts", order_id)
        raise RuntimeError(f"cannot ship order {order_id}")

    message_id = broken(7)
    with caplog.at_level(logging.WARNING, logger="dyne.ext.tasks"), worker(queue):
        assert next_item(redis, prefix + "attempts") == "7"
        assert next_item(redis, prefix + "attempts") == "7"  # the retry
    # The worker has stopped: every attempt it made is settled.
    [failed] = queue.failed()
    assert (failed.id, failed.args, failed.retries) == (message_id, [7], 1)
    assert "cannot ship order 7" in failed.traceback
    ours = [r for r in caplog.records if r.name == "dyne.ext.tasks"]
    attempts = [r for r in ours if "failed (attempt" in r.getMessage()]
    assert [r.exc_info is not None for r in attempts] == [True, True]
    assert "args=(7,)" in attempts[-1].getMessage()
    assert "giving up" in attempts[-1].getMessage()
    [final] = [r for r in ours if r.levelno == logging.ERROR]
    assert "failed for good after 2 attempt(s)" in final.getMessage()


def test_task_queue_redis_down_makes_the_enqueuing_view_a_503(app):
    TaskQueue(app, f"redis://127.0.0.1:{free_port()}/0", timeout=0.5)

    @app.background.task
    def record(value):
        pass

    @app.route("/enqueue")
    def enqueue(req, resp):
        record("x")

    @app.route("/public")
    def public(req, resp):
        resp.text = "public"

    assert app.client.get("/public").text == "public"
    assert app.client.get("/enqueue").status_code == 503


def test_task_queue_redis_down_outside_a_view_raises_a_clear_error(app):
    queue = TaskQueue(app, f"redis://127.0.0.1:{free_port()}/0")

    @app.background.task
    def record(value):
        pass

    with pytest.raises(TaskQueueUnavailable):
        record("x")
    with pytest.raises(TaskQueueUnavailable):
        queue.check_connection()


def test_task_queue_refuses_a_pickle_encoder(app):
    previous = dramatiq.get_encoder()
    dramatiq.set_encoder(dramatiq.PickleEncoder())
    try:
        with pytest.raises(ValueError, match="JSON"):
            TaskQueue(app, REDIS_URL)
    finally:
        dramatiq.set_encoder(previous)


def test_task_queue_worker_refuses_a_pickle_encoder_set_later(app, prefix):
    queue = queue_for(app, prefix)
    previous = dramatiq.get_encoder()
    dramatiq.set_encoder(dramatiq.PickleEncoder())
    try:
        with pytest.raises(ValueError, match="JSON"):
            queue.run_worker(1, stop=threading.Event())
    finally:
        dramatiq.set_encoder(previous)


def test_task_queue_needs_a_redis_url(app):
    with pytest.raises(ValueError, match=r"redis://"):
        TaskQueue(app, "amqp://localhost")


def test_background_without_a_task_queue_runs_in_the_process(app):
    @app.background.task
    def add(a, b):
        return a + b

    assert app.background.broker is None
    assert add(1, 2).result(timeout=10) == 3


def write_module(directory, name, source):
    (directory / f"{name}.py").write_text(source, encoding="utf-8")


def invoke_cli(*args):
    from click.testing import CliRunner

    from dyne.cli import cli

    return CliRunner().invoke(cli, list(args), prog_name="dyne")


def test_worker_command_is_listed_by_dyne_help():
    assert "worker" in invoke_cli("--help").output


def test_worker_command_without_a_task_queue_says_how_to_add_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    write_module(tmp_path, "plain_worker_app", "import dyne\napp = dyne.App()\n")
    result = invoke_cli("--app", "plain_worker_app", "worker")
    assert result.exit_code == 1
    assert "has no task queue" in result.output
    assert "TaskQueue(app" in result.output


def test_worker_command_with_redis_down_exits_with_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    url = f"redis://127.0.0.1:{free_port()}/0"
    write_module(
        tmp_path,
        "down_worker_app",
        "import dyne\nfrom dyne.ext.tasks import TaskQueue\n"
        f"app = dyne.App()\nTaskQueue(app, {url!r})\n",
    )
    result = invoke_cli("--app", "down_worker_app", "worker")
    assert result.exit_code == 1
    assert f"Could not reach the task queue's Redis at {url}" in result.output
