"""Small helpers shared by the core and the extensions."""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any

from starlette.concurrency import run_in_threadpool

from dyne.exceptions import MissingDependency

__all__ = ["as_async", "is_async_callable", "require"]


def is_async_callable(obj: Any) -> bool:
    """Tell whether calling ``obj`` returns an awaitable (functions, partials, callables)."""
    while isinstance(obj, functools.partial):
        obj = obj.func
    return inspect.iscoroutinefunction(obj) or (
        callable(obj) and inspect.iscoroutinefunction(getattr(obj, "__call__", None))  # noqa: B004
    )


def as_async(func: Callable[..., Any]) -> Callable[..., Any]:
    """A coroutine function calling ``func``: async callables as they are, sync ones in the
    thread pool. Decide this once, when a callback is registered, not per call."""
    if is_async_callable(func):
        return func

    @functools.wraps(func)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(func, *args, **kwargs)

    return run


def require(package: str, extra: str) -> ModuleType:
    """Import the optional ``package``, or raise :class:`MissingDependency` naming ``extra``.

    Only the absence of ``package`` itself is translated: a broken install of a present
    package raises its real error.
    """
    try:
        return importlib.import_module(package)
    except ModuleNotFoundError as exc:
        root = package.partition(".")[0]
        if exc.name is not None and exc.name.partition(".")[0] != root:
            raise
        raise MissingDependency(package, extra) from exc
