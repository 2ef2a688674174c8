"""Folding a blueprint's guards, ``before_request`` hooks and error handlers into a view,
once, when the blueprint is included (see :mod:`dyne.blueprints`).

A route without any of them keeps the very view that was registered, so it costs nothing.
Exceptions are handed to the blueprint's error handlers through dispatch (the view leaves
them in the scope and re-raises), so finalizers such as a transaction's still see them.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.websockets import WebSocketState

from dyne import _meta
from dyne._utils import as_async
from dyne.dispatch import SCOPED_ERROR_HANDLERS
from dyne.routing import HTTP_METHODS

__all__ = [
    "Chain",
    "Guards",
    "Handlers",
    "Hook",
    "Hooks",
    "class_view",
    "function_view",
    "websocket_view",
]

#: error handlers by status code or exception class
Handlers = dict[int | type[BaseException], Callable[..., Any]]
#: the error handlers of a route's blueprints, innermost first
Chain = tuple[Handlers, ...]
#: decorators, the outermost (first to run) first
Guards = tuple[Callable[..., Any], ...]
#: a ``before_request`` hook made async once, when registered (``as_async``)
Hook = Callable[..., Awaitable[Any]]
#: hooks in the order they run
Hooks = tuple[Hook, ...]


def _guarded(view: Any, guards: Guards) -> Any:
    # As if written ``@guard1 @guard2 def view``: the first guard is the outermost.
    for guard in reversed(guards):
        wrapped = guard(view)
        if not callable(wrapped):
            raise TypeError(f"The guard {guard!r} returned {wrapped!r}, not a view.")
        view = wrapped
    return view


def _scoped(view: Any, hooks: Hooks, handlers: Chain) -> Any:
    """``view`` running the blueprint's hooks first and handing its exceptions to the
    blueprint's error handlers (through dispatch, so finalizers still see them)."""
    if not hooks and not handlers:
        return view
    call = as_async(view)

    @_meta.wraps(view)
    async def scoped(*args: Any, **params: Any) -> Any:
        try:
            if hooks:
                # (req, resp) for functions, (self, req, resp) for class-view methods.
                req, resp = args[-2], args[-1]
                for hook in hooks:
                    await hook(req, resp)
                    if resp.status_code >= 300 or resp.complete:
                        return None
            return await call(*args, **params)
        except Exception:
            if handlers:
                args[-2].scope[SCOPED_ERROR_HANDLERS] = handlers
            raise

    return scoped


def function_view(view: Any, guards: Guards, hooks: Hooks, handlers: Chain) -> Any:
    """``view`` with the guards, hooks and error handlers folded in (``view`` itself when
    there are none)."""
    return _scoped(_guarded(view, guards), hooks, handlers)


def class_view(cls: type, guards: Guards, hooks: Hooks, handlers: Chain) -> Any:
    """A subclass of ``cls`` whose handlers carry the guards, hooks and error handlers (the
    class itself is left alone: it may be included elsewhere without them)."""
    if not (guards or hooks or handlers):
        return cls
    methods = [f"on_{m.lower()}" for m in HTTP_METHODS if hasattr(cls, f"on_{m.lower()}")]
    namespace: dict[str, Any] = {
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": cls.__doc__,
    }
    if hasattr(cls, "on_request"):
        # on_request runs first for every method: guarding it guards them all, and a refusal
        # there ends the request. Guarding each on_<method> as well would authenticate twice.
        original = _method(cls, "on_request")
        guarded = _guarded(original, guards)
        namespace["on_request"] = _as_attribute(
            cls, "on_request", _scoped(guarded, hooks, handlers)
        )
        security = [
            item
            for item in _meta.meta_of(guarded).get("security", ())
            if item not in _meta.meta_of(original).get("security", ())
        ]
        for name in methods:
            if handlers or security:
                method = _method(cls, name)
                handler = _scoped(method, (), handlers)
                if handler is method:
                    handler = _passthrough(method)
                for requirement in security:  # so OpenAPI documents it on each method
                    _meta.append(handler, "security", requirement)
                namespace[name] = _as_attribute(cls, name, handler)
    else:
        for name in methods:
            handler = _guarded(_method(cls, name), guards)
            namespace[name] = _as_attribute(cls, name, _scoped(handler, hooks, handlers))
    return type(cls)(cls.__name__, (cls,), namespace)


def _method(cls: type, name: str) -> Any:
    return getattr(cls, name)


def _as_attribute(cls: type, name: str, handler: Any) -> Any:
    # A plain function stays a method; a staticmethod, classmethod or other callable came
    # out of getattr already bound (or needing no self), so it must not be bound again.
    if inspect.isfunction(inspect.getattr_static(cls, name)):
        return handler
    return staticmethod(handler)


def _passthrough(view: Any) -> Any:
    call = as_async(view)

    @_meta.wraps(view)
    async def documented(*args: Any, **params: Any) -> Any:
        return await call(*args, **params)

    return documented


def websocket_view(view: Any, hooks: Hooks) -> Any:
    """``view`` running the WebSocket ``hooks`` first (``view`` itself without hooks)."""
    if not hooks:
        return view

    @_meta.wraps(view)
    async def scoped(ws: Any, **params: Any) -> Any:
        for hook in hooks:
            await hook(ws)
            if ws.application_state == WebSocketState.DISCONNECTED:
                return None  # the hook closed the connection: the view must not run
        return await view(ws, **params)

    return scoped
