"""Paths, converters and the router.

Paths are compiled once, at registration, into a tree of segments: a request walks one
branch of it instead of trying every route, so dispatch with 1,000 routes costs about
what it costs with 10.
"""

from __future__ import annotations

import inspect
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from dyne._utils import is_async_callable

__all__ = [
    "CONVERTERS",
    "Converter",
    "Mount",
    "NoMatch",
    "Route",
    "Router",
    "WebSocketRoute",
    "compile_path",
]

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT")


@dataclass(frozen=True, slots=True)
class Converter:
    """How a path parameter is matched (``regex``), parsed (``convert``) and written back."""

    regex: str
    convert: Callable[[str], Any]
    to_string: Callable[[Any], str] = str


def _convert_str(value: str) -> str:
    # "." and ".." are never a parameter's value: they would walk out of a directory.
    if value in (".", ".."):
        raise ValueError(value)
    return value


def _convert_path(value: str) -> str:
    if any(part in (".", "..") for part in value.split("/")):
        raise ValueError(value)
    return value


def _convert_float(value: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _float_to_string(value: float) -> str:
    return repr(float(value))


CONVERTERS: dict[str, Converter] = {
    "int": Converter(r"[0-9]+", int, lambda value: str(int(value))),
    "float": Converter(r"[0-9]+(?:\.[0-9]+)?", _convert_float, _float_to_string),
    "str": Converter(r"[^/]+", _convert_str),
    "path": Converter(r".+", _convert_path),
    "uuid": Converter(
        r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        uuid.UUID,
    ),
}

_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?}")


class RouteError(ValueError):
    """A route cannot be registered as written."""


@dataclass(slots=True)
class CompiledPath:
    """A path pattern, parsed: the regex, its parameters and a format string for url_for."""

    pattern: str
    regex: re.Pattern[str]
    converters: dict[str, Converter]
    template: str

    @property
    def is_static(self) -> bool:
        """Whether the path has no parameters."""
        return not self.converters


def compile_path(path: str) -> CompiledPath:
    """Parse ``path`` (``/items/{id:int}``); an unknown converter or a bad pattern raises."""
    if not path.startswith("/"):
        raise RouteError(f"Route path {path!r} must start with '/'.")
    regex = "^"
    template = ""
    converters: dict[str, Converter] = {}
    position = 0
    for match in _PARAM.finditer(path):
        name, converter_name = match.group(1), match.group(2) or "str"
        converter = CONVERTERS.get(converter_name)
        if converter is None:
            raise RouteError(
                f"Unknown path converter {converter_name!r} in {path!r}; "
                f"use one of: {', '.join(CONVERTERS)}."
            )
        if name in converters:
            raise RouteError(f"Path parameter {name!r} appears twice in {path!r}.")
        literal = path[position : match.start()]
        regex += re.escape(literal) + f"(?P<{name}>{converter.regex})"
        template += literal.replace("{", "{{").replace("}", "}}") + "{" + name + "}"
        converters[name] = converter
        position = match.end()
    rest = path[position:]
    leftover = _PARAM.sub("", path)
    if "{" in leftover or "}" in leftover:
        raise RouteError(
            f"Malformed parameter in route path {path!r}; write {{name}} or {{name:int}}."
        )
    regex += re.escape(rest) + "$"
    template += rest.replace("{", "{{").replace("}", "}}")
    return CompiledPath(path, re.compile(regex), converters, template)


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

    def url_path(self, **params: Any) -> str:
        """Build this route's path from ``params``; extra ones become the query string."""
        values: dict[str, str] = {}
        for name, converter in self.compiled.converters.items():
            if name not in params:
                raise RouteError(
                    f"url_for({self.name!r}) is missing the path parameter {name!r}; "
                    f"it needs: {', '.join(self.compiled.converters)}."
                )
            raw = converter.to_string(params.pop(name))
            safe = "/" if converter is CONVERTERS["path"] else ""
            values[name] = quote(raw, safe=safe)
        path = self.compiled.template.format(**values)
        if params:
            path += "?" + urlencode(params, doseq=True)
        return path


def _endpoint_name(endpoint: Any) -> str:
    return getattr(endpoint, "__name__", type(endpoint).__name__)


class Route(BaseRoute):
    """An HTTP route: a path, the methods it answers and its view.

    The view is a function ``(req, resp, **params)`` (sync functions run in the thread pool)
    or a class with ``on_get``/``on_post``/... and/or ``on_request`` methods. Without
    ``methods``, a view's own ``methods`` attribute (if any) says what it answers, else GET.
    """

    def __init__(
        self,
        path: str,
        endpoint: Any,
        *,
        methods: list[str] | tuple[str, ...] | set[str] | None = None,
        name: str | None = None,
    ) -> None:
        self.path = path
        self.endpoint = endpoint
        self.name = name or _endpoint_name(endpoint)
        self.compiled = compile_path(path)
        self.is_class_view = inspect.isclass(endpoint)
        if self.is_class_view:
            declared = {m for m in HTTP_METHODS if hasattr(endpoint, f"on_{m.lower()}")}
            if hasattr(endpoint, "on_request"):
                declared = set(methods or HTTP_METHODS)
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

    def __init__(self, path: str, endpoint: Any, *, name: str | None = None) -> None:
        if not is_async_callable(endpoint):
            raise RouteError(f"The WebSocket view for {path!r} must be an async function.")
        self.path = path
        self.endpoint = endpoint
        self.name = name or _endpoint_name(endpoint)
        self.compiled = compile_path(path)

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


WEBSOCKET = "WEBSOCKET"  # the "method" under which a WebSocket route is kept in its leaf


@dataclass(slots=True)
class _Leaf:
    """The routes registered for one path pattern, by method."""

    pattern: CompiledPath
    by_method: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Dynamic:
    """A segment holding parameters: matched by ``regex``; ``single`` names the parameter
    when it fills the whole segment (then no group lookup is needed)."""

    regex: re.Pattern[str]
    converters: dict[str, Converter]
    child: _Node
    single: str | None


@dataclass(slots=True)
class _Node:
    static: dict[str, _Node] = field(default_factory=dict)
    dynamic: list[_Dynamic] = field(default_factory=list)
    # patterns whose remaining part holds a ``path`` parameter: matched against the rest
    tails: list[tuple[re.Pattern[str], dict[str, Converter], _Leaf]] = field(default_factory=list)
    leaf: _Leaf | None = None


class _Tree:
    """Routes arranged by path segment: static paths in one dict, the others in a tree."""

    def __init__(self) -> None:
        self.static: dict[str, _Leaf] = {}
        self.root = _Node()

    def leaf_for(self, compiled: CompiledPath) -> _Leaf:
        if compiled.is_static:
            leaf = self.static.get(compiled.pattern)
            if leaf is None:
                leaf = self.static[compiled.pattern] = _Leaf(compiled)
            return leaf
        node = self.root
        segments = compiled.pattern.split("/")[1:]
        for index, segment in enumerate(segments):
            if "{" not in segment:
                node = node.static.setdefault(segment, _Node())
                continue
            segment_compiled = compile_path("/" + segment)
            if any(c is CONVERTERS["path"] for c in segment_compiled.converters.values()):
                rest = compile_path("/" + "/".join(segments[index:]))
                for regex, _, existing in node.tails:
                    if regex.pattern == rest.regex.pattern:
                        return existing
                leaf = _Leaf(compiled)
                node.tails.append((rest.regex, rest.converters, leaf))
                return leaf
            regex = re.compile(segment_compiled.regex.pattern.replace("^/", "^", 1))
            for dynamic in node.dynamic:
                if dynamic.regex.pattern == regex.pattern:
                    node = dynamic.child
                    break
            else:
                names = list(segment_compiled.converters)
                whole = len(names) == 1 and _PARAM.fullmatch(segment) is not None
                child = _Node()
                node.dynamic.append(
                    _Dynamic(regex, segment_compiled.converters, child, names[0] if whole else None)
                )
                node = child
        if node.leaf is None:
            node.leaf = _Leaf(compiled)
        return node.leaf

    def search(
        self, path: str, method: str, allowed: set[str]
    ) -> tuple[Any, dict[str, Any]] | None:
        """The first route for ``method`` whose pattern matches ``path`` (static patterns
        before parameters); the methods of patterns that match the path are added to
        ``allowed``."""
        leaf = self.static.get(path)
        if leaf is not None:
            route = leaf.by_method.get(method)
            if route is not None:
                return route, {}
            allowed.update(leaf.by_method)
        if not path.startswith("/"):
            return None
        return self._search(self.root, path.split("/")[1:], 0, method, {}, allowed)

    def _search(
        self,
        node: _Node,
        segments: list[str],
        index: int,
        method: str,
        params: dict[str, Any],
        allowed: set[str],
    ) -> tuple[Any, dict[str, Any]] | None:
        if index == len(segments):
            leaf = node.leaf
            if leaf is not None:
                route = leaf.by_method.get(method)
                if route is not None:
                    return route, params
                allowed.update(leaf.by_method)
            return None
        segment = segments[index]
        child = node.static.get(segment)
        if child is not None:
            found = self._search(child, segments, index + 1, method, params, allowed)
            if found is not None:
                return found
        for dynamic in node.dynamic:
            match = dynamic.regex.match(segment)
            if match is None:
                continue
            try:
                if dynamic.single is not None:
                    values = {dynamic.single: dynamic.converters[dynamic.single].convert(segment)}
                else:
                    values = {
                        name: dynamic.converters[name].convert(raw)
                        for name, raw in match.groupdict().items()
                    }
            except ValueError:
                continue
            found = self._search(
                dynamic.child, segments, index + 1, method, {**params, **values}, allowed
            )
            if found is not None:
                return found
        if node.tails:
            rest = "/" + "/".join(segments[index:])
            for regex, converters, leaf in node.tails:
                match = regex.match(rest)
                if match is None:
                    continue
                try:
                    values = {
                        name: converters[name].convert(raw)
                        for name, raw in match.groupdict().items()
                    }
                except ValueError:
                    continue
                route = leaf.by_method.get(method)
                if route is not None:
                    return route, {**params, **values}
                allowed.update(leaf.by_method)
        return None


class Router:
    """Holds the routes of an app and finds the one for a request."""

    def __init__(self) -> None:
        self.routes: list[BaseRoute] = []
        self.mounts: list[Mount] = []
        self._http = _Tree()
        self._websocket = _Tree()
        self._by_name: dict[str, BaseRoute] = {}
        self._by_endpoint: dict[int, BaseRoute] = {}

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
