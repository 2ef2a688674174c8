"""Routes and the router: what an app serves, found for each request through the tree
in ``_tree`` (path patterns themselves are parsed in ``paths``)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from dyne._tree import WEBSOCKET, Tree
from dyne._utils import is_async_callable
from dyne.paths import CONVERTERS, CompiledPath, Converter, RouteError, compile_path

__all__ = [
    "CONVERTERS",
    "BaseRoute",
    "Converter",
    "Mount",
    "NoMatch",
    "Route",
    "RouteError",
    "Router",
    "WebSocketRoute",
    "compile_path",
    "method_handler",
]

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT")


class NoMatch(Exception):
    """No route matches the path (404), or none allows the method (405, with ``allowed``)."""

    def __init__(self, allowed: frozenset[str] | None = None) -> None:
        super().__init__(allowed)
        self.allowed = allowed


class BaseRoute:
    """Something the router can dispatch to; shares path compilation and url building."""

    path: str
    name: str
    endpoint: Any
    compiled: CompiledPath
    #: OpenAPI tags of the route's operations (a blueprint's ``tags``, or ``route(tags=...)``)
    tags: tuple[str, ...] = ()

    def url_path(self, **params: Any) -> str:
        """Build this route's path from ``params``; extra ones become the query string."""
        values: dict[str, str] = {}
        for name, converter in self.compiled.converters.items():
            if name not in params:
                raise RouteError(
                    f"url_for({self.name!r}) is missing the path parameter {name!r}; "
                    f"it needs: {', '.join(self.compiled.converters)}."
                )
            value = params.pop(name)
            raw = converter.to_string(value)
            if not _fits(converter, raw):
                raise RouteError(
                    f"url_for({self.name!r}): the value {value!r} for {name!r} cannot be "
                    f"part of {self.path!r} (the route would not match it); pass another value."
                )
            safe = "/" if converter.matches_slash else ""
            values[name] = quote(raw, safe=safe)
        path = self.compiled.template.format(**values)
        if params:
            path += "?" + urlencode(params, doseq=True)
        return path


def _fits(converter: Converter, raw: str) -> bool:
    """Whether the route would match ``raw`` and hand the view a value (no "..", no "/" in a
    ``str``, no negative ``int``, ...), so url_for never builds a link to another page."""
    if re.fullmatch(converter.regex, raw) is None:
        return False
    try:
        converter.convert(raw)
    except ValueError:
        return False
    return True


def method_handler(view: Any, method: str) -> Any:
    """A class view's handler for ``method`` (the class or an instance): ``on_<method>``,
    ``on_get`` for HEAD, or None (``on_request``, which runs first for every method, is
    not a method handler)."""
    method = method.lower()
    handler = getattr(view, f"on_{method}", None)
    if handler is None and method == "head":
        handler = getattr(view, "on_get", None)
    return handler


def _endpoint_name(endpoint: Any) -> str:
    return getattr(endpoint, "__name__", type(endpoint).__name__)


class Route(BaseRoute):
    """An HTTP route: a path, the methods it answers and its view.

    The view is a function ``(req, resp, **params)`` (sync functions run in the thread pool)
    or a class with ``on_get``/``on_post``/... and/or ``on_request`` methods. Without
    ``methods``, a view's own ``methods`` attribute (if any) says what it answers, else GET.
    A class with ``on_request`` answers every method but OPTIONS (unless it has
    ``on_options`` or ``methods`` lists it): Dyne answers OPTIONS with ``Allow`` itself.
    ``converters`` is the table of path converters by name (default: the built-in ones).
    """

    def __init__(
        self,
        path: str,
        endpoint: Any,
        *,
        methods: list[str] | tuple[str, ...] | set[str] | None = None,
        name: str | None = None,
        tags: list[str] | tuple[str, ...] | None = None,
        converters: Mapping[str, Converter] | None = None,
    ) -> None:
        self.path = path
        self.endpoint = endpoint
        self.name = name or _endpoint_name(endpoint)
        self.compiled = compile_path(path, converters)
        if tags:
            if isinstance(tags, str):
                raise RouteError(f"tags for {path!r} must be a list of strings, not {tags!r}.")
            self.tags = tuple(tags)
        self.is_class_view = inspect.isclass(endpoint)
        if self.is_class_view:
            declared = {m for m in HTTP_METHODS if hasattr(endpoint, f"on_{m.lower()}")}
            if hasattr(endpoint, "on_request"):
                declared = {m.upper() for m in methods} if methods else set(HTTP_METHODS)
                if not methods and not hasattr(endpoint, "on_options"):
                    # OPTIONS is answered by Dyne (an ``Allow`` list) unless the view asks
                    # for it, so on_request never runs for it by accident.
                    declared.discard("OPTIONS")
            elif methods:
                declared &= {m.upper() for m in methods}
            if not declared:
                raise RouteError(
                    f"Class view {endpoint.__name__} for {path!r} has no on_get/on_post/... "
                    "or on_request method."
                )
        else:
            if not callable(endpoint):
                raise RouteError(f"The view for {path!r} must be callable, got {endpoint!r}.")
            # A view object may say which methods it answers (``view.methods``), as Flask's do.
            default = getattr(endpoint, "methods", None) or ("GET",)
            declared = {m.upper() for m in (methods or default)}
            unknown = declared - set(HTTP_METHODS)
            if unknown:
                raise RouteError(
                    f"Unknown HTTP method(s) {sorted(unknown)} for {path!r}; "
                    f"use: {', '.join(HTTP_METHODS)}."
                )
        if "GET" in declared:
            declared.add("HEAD")
        self.methods: frozenset[str] = frozenset(declared)
        self.is_async = False if self.is_class_view else is_async_callable(endpoint)

    def __repr__(self) -> str:
        return f"Route(path={self.path!r}, name={self.name!r}, methods={sorted(self.methods)})"


class WebSocketRoute(BaseRoute):
    """A WebSocket route: ``async def view(ws, **params)``."""

    methods = None

    def __init__(
        self,
        path: str,
        endpoint: Any,
        *,
        name: str | None = None,
        converters: Mapping[str, Converter] | None = None,
    ) -> None:
        if not is_async_callable(endpoint):
            raise RouteError(f"The WebSocket view for {path!r} must be an async function.")
        self.path = path
        self.endpoint = endpoint
        self.name = name or _endpoint_name(endpoint)
        self.compiled = compile_path(path, converters)

    def __repr__(self) -> str:
        return f"WebSocketRoute(path={self.path!r}, name={self.name!r})"


class Mount(BaseRoute):
    """Another ASGI application served under a path prefix."""

    methods = None

    def __init__(self, prefix: str, app: Any, *, name: str | None = None) -> None:
        if not prefix.startswith("/"):
            raise RouteError(f"Mount prefix {prefix!r} must start with '/'.")
        self.path = prefix.rstrip("/")
        self.endpoint = app
        self.app = app
        self.name = name or self.path
        self.compiled = compile_path(self.path or "/")

    def matches(self, path: str) -> bool:
        """Whether ``path`` lies under this mount."""
        prefix = self.path
        return not prefix or path == prefix or path.startswith(prefix + "/")

    def __repr__(self) -> str:
        return f"Mount(path={self.path!r}, app={self.app!r})"


# -- the tree ---------------------------------------------------------------------------


class Router:
    """Holds the routes of an app and finds the one for a request."""

    def __init__(self) -> None:
        self.routes: list[BaseRoute] = []
        self.mounts: list[Mount] = []
        self._http = Tree()
        self._websocket = Tree()
        self._by_name: dict[str, BaseRoute] = {}
        self._by_endpoint: dict[int, BaseRoute] = {}
        #: views reached through alias(), held so their ids stay theirs
        self._aliased: list[Any] = []

    def add(self, route: BaseRoute) -> None:
        """Register ``route``; the same path and method twice raises ``RouteError``."""
        if isinstance(route, Mount):
            self.mounts.append(route)
            self.mounts.sort(key=lambda mount: len(mount.path), reverse=True)
        elif isinstance(route, WebSocketRoute):
            leaf = self._websocket.leaf_for(route.compiled)
            if WEBSOCKET in leaf.by_method:
                raise RouteError(
                    f"A WebSocket route for {route.path!r} is already registered "
                    f"({leaf.by_method[WEBSOCKET].name}); remove one of them."
                )
            leaf.by_method[WEBSOCKET] = route
        elif isinstance(route, Route):
            leaf = self._http.leaf_for(route.compiled)
            taken = route.methods & leaf.by_method.keys() - {"HEAD"}
            if taken:
                previous = leaf.by_method[next(iter(taken))]
                raise RouteError(
                    f"{', '.join(sorted(taken))} {route.path!r} is already handled by "
                    f"{previous.name}; give {route.name} another path or method."
                )
            for method in route.methods:
                if method == "HEAD" and "HEAD" in leaf.by_method:
                    continue
                leaf.by_method[method] = route
        else:
            raise RouteError(f"Cannot register {route!r}: not a Route, WebSocketRoute or Mount.")
        self.routes.append(route)
        self._by_name.setdefault(route.name, route)
        self._by_endpoint.setdefault(id(route.endpoint), route)

    def match(self, path: str, method: str) -> tuple[Route, dict[str, Any]]:
        """Find the route for ``method path``; raise :class:`NoMatch` (with the allowed
        methods when the path exists)."""
        allowed: set[str] = set()
        found = self._http.search(path, method, allowed)
        if found is None:
            raise NoMatch(frozenset(allowed) if allowed else None)
        return found

    def match_websocket(self, path: str) -> tuple[WebSocketRoute, dict[str, Any]]:
        """Find the WebSocket route for ``path`` or raise :class:`NoMatch`."""
        found = self._websocket.search(path, WEBSOCKET, set())
        if found is None:
            raise NoMatch()
        return found

    def mount_for(self, path: str) -> Mount | None:
        """The mount serving ``path`` (the longest prefix), if any."""
        for mount in self.mounts:
            if mount.matches(path):
                return mount
        return None

    def route_named(self, name: str) -> BaseRoute | None:
        """The route registered under ``name``, or None."""
        return self._by_name.get(name)

    def alias(self, endpoint: Any, name: str) -> None:
        """Let ``url_for(endpoint)`` find the route named ``name`` (a blueprint registers the
        wrapped view; this keeps the view as written working too)."""
        self._aliased.append(endpoint)
        self._by_endpoint.setdefault(id(endpoint), self._by_name[name])

    def lookup(self, view_or_name: Any) -> BaseRoute:
        """The route registered for a view function/class or a route name."""
        route = (
            self._by_name.get(view_or_name)
            if isinstance(view_or_name, str)
            else self._by_endpoint.get(id(view_or_name))
        )
        if route is None:
            raise RouteError(f"No route is registered for {view_or_name!r}.")
        return route
