"""The one place where decorators leave facts about an endpoint for others to read.

Extensions (validation, auth, ...) wrap endpoints and record what they do with
:func:`annotate`; the OpenAPI extension reads it back with :func:`meta_of`. Metadata
is a plain dict stored on the function under ``__dyne_meta__``.

The core also marks every endpoint it registers as a route (:func:`mark_routed`), and
:func:`wraps`, :func:`annotate` and :func:`append` refuse a routed endpoint: a decorator
stacked above ``@app.route`` would wrap a function the router never calls, leaving the
route silently unguarded or unvalidated. The check runs when the decorator does, never
per request.
"""

from __future__ import annotations

import contextlib
import functools
import weakref
from collections.abc import Callable, Iterator
from typing import Any

__all__ = [
    "META_ATTRIBUTE",
    "annotate",
    "append",
    "check_not_routed",
    "is_routed",
    "mark_routed",
    "meta_of",
    "unrouted",
    "wraps",
]

META_ATTRIBUTE = "__dyne_meta__"

# Endpoints already registered as routes. Kept beside the functions, not on them, so
# functools.wraps (which copies __dict__) never hands the mark to a new wrapper.
_ROUTED: weakref.WeakSet[Any] = weakref.WeakSet()


def mark_routed(endpoint: Any) -> None:
    """Record that ``endpoint`` was registered as a route (the core calls this)."""
    # An object that is not weak-referenceable (an instance with __slots__) goes unmarked.
    with contextlib.suppress(TypeError):
        _ROUTED.add(endpoint)


@contextlib.contextmanager
def unrouted(endpoint: Any) -> Iterator[None]:
    """Let the core itself wrap an endpoint it has already marked routed (a blueprint
    applies its guards to its views when it is included, after ``@bp.route`` marked them)."""
    routed = is_routed(endpoint)
    if routed:
        _ROUTED.discard(endpoint)
    try:
        yield
    finally:
        if routed:
            _ROUTED.add(endpoint)


def is_routed(endpoint: Any) -> bool:
    """Whether ``endpoint`` was already registered as a route."""
    try:
        return endpoint in _ROUTED
    except TypeError:
        return False


def check_not_routed(endpoint: Any, decorator: str | None = None) -> None:
    """Raise ``TypeError`` when ``endpoint`` is already routed: a decorator placed above
    ``@app.route`` wraps a copy the app never calls, so the route would run unguarded."""
    if not is_routed(endpoint):
        return
    name = getattr(endpoint, "__name__", None) or repr(endpoint)
    shown = decorator or "A Dyne decorator"
    raise TypeError(
        f"{shown} is above @app.route on {name}, so the route would run without it; "
        f"put @app.route on top, in this order: @app.route(...), {decorator or '@decorator'}, "
        f"def {name}(...)."
    )


def meta_of(endpoint: Any) -> dict[str, Any]:
    """Return the metadata recorded on ``endpoint`` (an empty dict when there is none)."""
    return getattr(endpoint, META_ATTRIBUTE, None) or {}


def _own_meta(endpoint: Any) -> dict[str, Any]:
    meta = dict(meta_of(endpoint))
    setattr(endpoint, META_ATTRIBUTE, meta)
    return meta


def annotate[T](endpoint: T, **facts: Any) -> T:
    """Record ``facts`` on ``endpoint`` and return it; later facts replace earlier ones.

    :raises TypeError: when ``endpoint`` is already routed (the decorator is above
        ``@app.route``).
    """
    check_not_routed(endpoint)
    _own_meta(endpoint).update(facts)
    return endpoint


def append[T](endpoint: T, key: str, item: Any) -> T:
    """Add ``item`` to the list recorded under ``key`` on ``endpoint`` and return it.

    :raises TypeError: when ``endpoint`` is already routed.
    """
    check_not_routed(endpoint)
    meta = _own_meta(endpoint)
    meta[key] = [*meta.get(key, ()), item]
    return endpoint


def wraps(wrapped: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Like :func:`functools.wraps`, but gives the wrapper its own copy of the metadata.

    :raises TypeError: when ``wrapped`` is already routed: the wrapper would never be
        called, so the decorator (a guard, a validator, a transaction) would be skipped.
    """
    check_not_routed(wrapped)

    def decorate(wrapper: Callable[..., Any]) -> Callable[..., Any]:
        functools.update_wrapper(wrapper, wrapped)
        setattr(wrapper, META_ATTRIBUTE, dict(meta_of(wrapped)))
        return wrapper

    return decorate
