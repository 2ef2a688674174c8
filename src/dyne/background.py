"""Background tasks: run a function after (or beside) the request that started it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import logging
from collections.abc import Callable
from typing import Any

import anyio.from_thread

from dyne._utils import is_async_callable

__all__ = ["BackgroundQueue", "task_name"]

logger = logging.getLogger("dyne.background")


def task_name(func: Callable[..., Any]) -> str:
    """The name a task is known by on a task queue: ``module.qualname`` of the function."""
    return f"{getattr(func, '__module__', None)}.{getattr(func, '__qualname__', repr(func))}"


class BackgroundQueue:
    """Runs tasks outside the request: sync functions in a thread pool, coroutine
    functions as asyncio tasks. Exceptions are logged with their traceback.

    ``@app.background.task`` turns a function into one that schedules itself and
    returns at once; :meth:`join` waits (bounded) for what is still running.
    """

    def __init__(self, max_workers: int | None = None) -> None:
        self._max_workers = max_workers
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._pending: set[Any] = set()
        #: every function decorated with :meth:`task`, by its :func:`task_name`
        self.tasks: dict[str, Callable[..., Any]] = {}
        #: where :meth:`task` functions go instead of this process's pool when set: an
        #: object with ``register(name, func)`` and ``enqueue(name, args, kwargs)``
        #: (``dyne.ext.tasks`` provides one on a real task queue)
        self.broker: Any = None
        #: ``wrap(func) -> func`` applied to each task as it is scheduled (tracing uses it);
        #: the result must be a coroutine function exactly when ``func`` is one
        self.wrappers: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = []

    @property
    def executor(self) -> concurrent.futures.ThreadPoolExecutor:
        """The thread pool for sync tasks, created on first use."""
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=self._max_workers, thread_name_prefix="dyne-background"
            )
        return self._executor

    @property
    def pending(self) -> int:
        """How many tasks are scheduled or running."""
        return len(self._pending)

    def run(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Schedule ``func(*args, **kwargs)`` and return its future (or asyncio task)."""
        for wrap in self.wrappers:
            func = wrap(func)
        if is_async_callable(func):
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                future = self._run_from_thread(func(*args, **kwargs))
            else:
                future = loop.create_task(func(*args, **kwargs))
        else:
            # Like an asyncio task, the thread sees the caller's context (the request ID).
            context = contextvars.copy_context()
            future = self.executor.submit(context.run, func, *args, **kwargs)
        self._pending.add(future)
        future.add_done_callback(functools.partial(self._done, getattr(func, "__name__", func)))
        return future

    def _run_from_thread(self, coroutine: Any) -> Any:
        # A sync view runs in one of anyio's worker threads: hand the coroutine to the
        # app's event loop, where the resources it may use (pools, clients) live.
        try:
            loop = anyio.from_thread.run_sync(asyncio.get_running_loop)
        except RuntimeError:
            # Not a worker thread of a running app (a script, a test): use a private loop.
            context = contextvars.copy_context()
            return self.executor.submit(context.run, asyncio.run, coroutine)
        return asyncio.run_coroutine_threadsafe(coroutine, loop)

    def task(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Decorate ``func`` so that calling it schedules it in the background."""

        name = task_name(func)
        self.tasks[name] = func
        if self.broker is not None:
            self.broker.register(name, func)

        @functools.wraps(func)
        def schedule(*args: Any, **kwargs: Any) -> Any:
            broker = self.broker
            if broker is not None:
                return broker.enqueue(name, args, kwargs)
            return self.run(func, *args, **kwargs)

        return schedule

    def _done(self, name: Any, future: Any) -> None:
        self._pending.discard(future)
        if future.cancelled():
            return
        exc = future.exception()
        if exc is not None:
            logger.error("Background task %s failed", name, exc_info=exc)

    async def join(self, timeout: float | None = 30.0) -> bool:
        """Wait up to ``timeout`` seconds (None: no limit) for pending tasks; return whether
        all finished. Shutdown calls it with ``App(background_timeout=...)``."""
        if not self._pending:
            return True
        waiters = [
            task if isinstance(task, asyncio.Future) else asyncio.wrap_future(task)
            for task in list(self._pending)
        ]
        _done, not_done = await asyncio.wait(waiters, timeout=timeout)
        if not_done:
            logger.warning(
                "%d background task(s) still running after %ss at shutdown", len(not_done), timeout
            )
        return not not_done
