"""Background tasks on a real task queue (Dramatiq on Redis): ``pip install "dyne[tasks]"``.

One line sends every ``@app.background.task`` to Redis instead of this process's thread
pool; ``dyne --app myapp:app worker`` runs them, on this machine or others::

    from dyne.ext.tasks import TaskQueue

    tasks = TaskQueue(app, "redis://127.0.0.1:6379/0")

    @app.background.task
    def send_welcome(user_id: int) -> None: ...

    send_welcome(42)          # enqueued; returns the task's message id

Arguments travel as JSON and are checked when the task is called (a ``TypeError`` names
the bad value). A task that raises is logged with its arguments and traceback, retried with
exponential backoff, and after ``max_retries`` recorded as failed: :meth:`TaskQueue.failed`
lists those. Sync tasks run in the worker's threads, ``async def`` tasks on its event loop.
"""

from __future__ import annotations

import logging
import math
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from dyne.exceptions import HTTPException, MissingDependency

try:
    import dramatiq
    import redis
    from dramatiq.brokers.redis import RedisBroker
    from dramatiq.middleware import AsyncIO, Middleware, Retries, TimeLimit
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
    if exc.name not in ("dramatiq", "redis"):
        raise
    raise MissingDependency(exc.name, "tasks") from None

if TYPE_CHECKING:
    from dramatiq.broker import Broker, MessageProxy

    from dyne.app import App

__all__ = ["FailedTask", "TaskQueue", "TaskQueueUnavailable", "check_arguments"]

logger = logging.getLogger("dyne.ext.tasks")

# Dramatiq 2 renamed ConnectionError to BrokerConnectionError.
_BROKER_CONNECTION_ERROR: type[Exception] = getattr(
    dramatiq.errors, "BrokerConnectionError", None
) or getattr(dramatiq.errors, "ConnectionError")  # noqa: B009
_FAILURES = (redis.ConnectionError, redis.TimeoutError, _BROKER_CONNECTION_ERROR, OSError)


class TaskQueueUnavailable(HTTPException):
    """The task queue's Redis could not be reached: a view that enqueues gets a 503."""

    def __init__(self, url: str, cause: BaseException) -> None:
        self.url = url
        self.cause = cause
        super().__init__(503, "Service Unavailable", headers={"Retry-After": "5"})
        logger.error(
            "Could not reach the task queue's Redis at %s (%s: %s); the task was not "
            "enqueued. Check that Redis is running and the URL is right.",
            _redact(url),
            type(cause).__name__,
            cause,
        )


@dataclass(frozen=True, slots=True)
class FailedTask:
    """A task that kept failing and was given up (kept for a week in Redis)."""

    #: the message id :meth:`TaskQueue.enqueue` returned
    id: str
    #: the task's name (``module.function``)
    name: str
    args: list[Any]
    kwargs: dict[str, Any]
    #: how many times it was retried
    retries: int
    #: the last attempt's traceback
    traceback: str


def _require_json() -> None:
    # Decoding a pickle taken from Redis runs whatever code its writer chose: tasks travel
    # as JSON only, checked when the queue is made and again when a worker starts.
    encoder = dramatiq.get_encoder()
    if not isinstance(encoder, dramatiq.JSONEncoder):
        raise ValueError(
            f"Dramatiq's encoder is {type(encoder).__name__}, not JSON; remove the "
            "dramatiq.set_encoder(...) call: Dyne's tasks travel as JSON."
        )


def _redact(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        return f"{scheme}://***@{rest.rpartition('@')[2]}"
    return url


def _where(path: str, value: object) -> str | None:
    """The path of the first value JSON would not carry as it is, or None."""
    if value is None or isinstance(value, str | bool | int):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{path} ({value!r})"
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _where(f"{path}[{index}]", item)
            if found is not None:
                return found
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{path} (key {key!r}, not a str)"
            found = _where(f"{path}[{key!r}]", item)
            if found is not None:
                return found
        return None
    return f"{path} ({type(value).__name__})"


def check_arguments(name: str, args: tuple[object, ...], kwargs: Mapping[str, object]) -> None:
    """Raise ``TypeError`` unless every argument survives JSON: str, int, finite float,
    bool, None, and lists, tuples and str-keyed dicts of those."""
    for index, value in enumerate(args):
        found = _where(f"argument {index}", value)
        if found is not None:
            break
    else:
        found = None
        for key, value in kwargs.items():
            found = _where(f"argument {key!r}", value)
            if found is not None:
                break
    if found is not None:
        raise TypeError(
            f"Task {name} cannot be sent to the task queue: {found} is not JSON; pass plain "
            "values (str, int, float, bool, None, lists, dicts with str keys), e.g. an id "
            "instead of an object or an ISO string instead of a datetime."
        )


class _Report(Middleware):
    """Logs every failed attempt with the task's arguments and traceback, and the give-up
    once the task is stored among the failed ones."""

    def __init__(self, queue: TaskQueue) -> None:
        self.queue = queue

    def after_process_message(
        self,
        broker: Broker,
        message: MessageProxy,
        *,
        result: object = None,
        exception: BaseException | None = None,
    ) -> None:
        if exception is None:
            return
        logger.warning(
            "Task %s failed (attempt %d of %d) with args=%r kwargs=%r; %s",
            message.actor_name,
            message.options.get("retries", 0),
            self.queue.max_retries + 1,
            message.args,
            message.kwargs,
            "giving up." if message.failed else "it will be retried.",
            exc_info=exception,
        )

    def after_nack(self, broker: Broker, message: MessageProxy) -> None:
        # Called once the message is in the dead-letter queue, so failed() lists it now.
        logger.error(
            "Task %s failed for good after %d attempt(s) with args=%r kwargs=%r; it is "
            "listed by TaskQueue.failed() (id %s).",
            message.actor_name,
            message.options.get("retries", 0),
            message.args,
            message.kwargs,
            message.message_id,
        )


class TaskQueue:
    """Send the app's background tasks to a Dramatiq queue on Redis.

    :param app: the app whose ``@app.background.task`` functions go to the queue (those
        decorated before and after this call).
    :param url: the Redis URL (``redis://host:6379/0``); nothing connects until a task is
        sent or a worker starts.
    :param queue: the queue's name; workers of this app listen on it.
    :param namespace: prefix of the Redis keys (apps sharing a Redis use different ones).
    :param max_retries: retries after a failure before the task is recorded as failed.
    :param min_backoff: seconds before the first retry; doubles each time (with jitter).
    :param max_backoff: longest wait between retries, in seconds.
    :param time_limit: seconds a task may run before it is interrupted (and retried).
    :param redelivery_after: seconds without a heartbeat after which a worker counts as
        dead and the tasks it was running are given to another worker.
    :param maintenance_chance: in how many of a million Redis commands a worker also looks
        for dead workers' tasks (Dramatiq's ``maintenance_chance``).
    :param timeout: seconds to wait for Redis (connect, and each command) before giving
        up; enqueueing blocks the caller at most this long when Redis does not answer.
    """

    def __init__(
        self,
        app: App,
        url: str,
        *,
        queue: str = "dyne",
        namespace: str = "dyne-tasks",
        max_retries: int = 3,
        min_backoff: float = 1.0,
        max_backoff: float = 300.0,
        time_limit: float = 600.0,
        redelivery_after: float = 60.0,
        maintenance_chance: int = 10_000,
        timeout: float = 2.0,
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(
                f"TaskQueue needs a Redis URL such as redis://127.0.0.1:6379/0, not {url!r}."
            )
        _require_json()
        self.app = app
        self.url = url
        self.queue = queue
        self.max_retries = max_retries
        self.broker = RedisBroker(
            url=url,
            namespace=namespace,
            heartbeat_timeout=int(redelivery_after * 1000),
            maintenance_chance=maintenance_chance,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
        )
        retries = next(m for m in self.broker.middleware if isinstance(m, Retries))
        retries.max_retries = max_retries
        retries.min_backoff = max(1, int(min_backoff * 1000))
        retries.max_backoff = max(1, int(max_backoff * 1000))
        for middleware in self.broker.middleware:
            if isinstance(middleware, TimeLimit):
                middleware.time_limit = int(time_limit * 1000)
        self.broker.add_middleware(AsyncIO())
        self.broker.add_middleware(_Report(self), before=Retries)
        self._actors: dict[str, dramatiq.Actor[..., object]] = {}
        background = app.background
        background.broker = self
        for name, func in background.tasks.items():
            self.register(name, func)

    def register(self, name: str, func: Callable[..., object]) -> None:
        """Make ``func`` runnable by workers under ``name`` (``@app.background.task`` calls it)."""
        self.broker.actors.pop(name, None)
        self._actors[name] = dramatiq.Actor(
            func,
            broker=self.broker,
            actor_name=name,
            queue_name=self.queue,
            priority=0,
            options={},
        )

    def enqueue(self, name: str, args: tuple[object, ...], kwargs: Mapping[str, object]) -> str:
        """Check the arguments, put the task on the queue and return its message id.

        :raises TypeError: an argument JSON cannot carry (nothing is enqueued).
        :raises TaskQueueUnavailable: Redis cannot be reached (a 503 inside a view).
        """
        actor = self._actors.get(name)
        if actor is None:
            raise LookupError(
                f"No task named {name!r} is registered; decorate it with @app.background.task."
            )
        check_arguments(name, args, kwargs)
        message = actor.message_with_options(args=tuple(args), kwargs=dict(kwargs))
        try:
            self.broker.enqueue(message)
        except _FAILURES as exc:
            raise TaskQueueUnavailable(self.url, exc) from exc
        return str(message.message_id)

    def failed(self) -> list[FailedTask]:
        """The tasks given up after their last retry, oldest first (kept a week)."""
        key = f"{self.broker.namespace}:{self.queue}.XQ"
        client = self.broker.client
        try:
            order = cast("list[bytes]", client.zrange(key, 0, -1))
            stored = cast("dict[bytes, bytes]", client.hgetall(key + ".msgs"))
        except _FAILURES as exc:
            raise TaskQueueUnavailable(self.url, exc) from exc
        encoder = dramatiq.JSONEncoder()
        failed = []
        for redis_id in order:
            raw = stored.get(redis_id)
            if raw is None:
                continue
            data = encoder.decode(raw)
            options = data.get("options", {})
            failed.append(
                FailedTask(
                    id=str(data.get("message_id")),
                    name=str(data.get("actor_name")),
                    args=list(data.get("args", [])),
                    kwargs=dict(data.get("kwargs", {})),
                    retries=int(options.get("retries", 0)),
                    traceback=str(options.get("traceback", "")),
                )
            )
        return failed

    def check_connection(self) -> None:
        """Raise :class:`TaskQueueUnavailable` unless Redis answers."""
        try:
            self.broker.client.ping()
        except _FAILURES as exc:
            raise TaskQueueUnavailable(self.url, exc) from exc

    def run_worker(
        self,
        concurrency: int = 8,
        *,
        shutdown_timeout: float = 30.0,
        stop: threading.Event | None = None,
    ) -> None:
        """Run tasks until SIGTERM/SIGINT (or ``stop`` is set), then shut down gracefully.

        Running tasks get ``shutdown_timeout`` seconds to finish; tasks fetched but not
        started go back on the queue; a task still running after that is handed to another
        worker once this one stops sending heartbeats (``redelivery_after``).
        """
        _require_json()
        self.check_connection()
        stop = stop or threading.Event()
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
        worker = dramatiq.Worker(self.broker, queues={self.queue}, worker_threads=concurrency)
        worker.start()
        logger.info(
            "Worker started: %d thread(s) on queue %r, tasks: %s",
            concurrency,
            self.queue,
            ", ".join(sorted(self._actors)) or "none",
        )
        try:
            stop.wait()
        finally:
            logger.info("Worker stopping: finishing running tasks (up to %ss).", shutdown_timeout)
            worker.stop(timeout=int(shutdown_timeout * 1000))
