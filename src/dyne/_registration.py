"""The decorator forms that ``App`` and ``Blueprint`` share; each defines the ``add_*`` half."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

__all__ = ["RouteDecorators", "check_error_key"]

#: A view or handler, returned unchanged by the decorators (so it keeps its signature).
F = TypeVar("F", bound=Callable[..., Any])


def check_error_key(key: Any) -> None:
    """``TypeError`` unless ``key`` is a status code or an exception class."""
    if not (isinstance(key, int) or (isinstance(key, type) and issubclass(key, BaseException))):
        raise TypeError(f"error_handler() takes a status code or an exception class, not {key!r}.")


class _Host(Protocol):
    """What a class using :class:`RouteDecorators` provides."""

    # The options are spelled out (not **options): App and Blueprint must match this
    # protocol for ``self: _Host`` to accept them when a user calls ``app.route``.
    def add_route(
        self,
        path: str | None = ...,
        endpoint: Any = ...,
        *,
        methods: list[str] | None = ...,
        websocket: bool = ...,
        before_request: bool = ...,
        name: str | None = ...,
        tags: Any = ...,
    ) -> None: ...

    def add_error_handler(
        self, key: int | type[BaseException], handler: Callable[..., Any]
    ) -> None: ...


class RouteDecorators:
    """``@route(...)`` and ``@error_handler(...)``, written once on top of the host's
    ``add_route`` and ``add_error_handler``."""

    def route(
        self: _Host,
        path: str | None = None,
        *,
        methods: list[str] | None = None,
        websocket: bool = False,
        before_request: bool = False,
        name: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> Callable[[F], F]:
        """Register the decorated view for ``path`` (``/items/{id:int}``; on a blueprint,
        below its prefix).

        ``methods`` defaults to GET (HEAD is answered too). ``websocket=True`` registers a
        WebSocket view; ``before_request=True`` (without a path) runs the function before
        every request (see also ``before_request``). ``tags`` are the route's OpenAPI tags.
        """

        def decorator(endpoint: F) -> F:
            self.add_route(
                path,
                endpoint,
                methods=methods,
                websocket=websocket,
                before_request=before_request,
                name=name,
                tags=tags,
            )
            return endpoint

        return decorator

    def error_handler(self: _Host, key: int | type[BaseException]) -> Callable[[F], F]:
        """Register ``async def handler(req, resp, exc)`` for a status code or exception class
        (on a blueprint: for exceptions raised in its routes, ahead of the app's)."""
        check_error_key(key)

        def decorator(handler: F) -> F:
            self.add_error_handler(key, handler)
            return handler

        return decorator
