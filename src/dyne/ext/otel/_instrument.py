"""The tracing middleware, the background-task wrapper and the request-attribute spans."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, cast

from dyne import __version__
from dyne.exceptions import MissingDependency
from dyne.extension import is_async_callable
from dyne.observability import app_path, current_request_id, route_template
from dyne.routing import NoMatch
from dyne.types import ASGIApp, Message, Receive, Scope, Send

try:
    from opentelemetry import propagate, trace
    from opentelemetry.propagators.textmap import TextMapPropagator
    from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer, TracerProvider
    from opentelemetry.util.types import AttributeValue
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
    if exc.name is None or exc.name.partition(".")[0] != "opentelemetry":
        raise
    raise MissingDependency("opentelemetry-api", "otel") from None

if TYPE_CHECKING:
    from dyne.app import App
    from dyne.request import Request
    from dyne.response import Response

__all__ = ["SERVER_SPAN_ATTRIBUTES", "instrument"]

#: The attributes a server span may carry (stable HTTP semantic conventions, plus
#: ``dyne.request_id``). The query string is left out: it often carries tokens.
SERVER_SPAN_ATTRIBUTES = (
    "client.address",
    "client.port",
    "dyne.request_id",
    "dyne.websocket.close_code",
    "error.type",
    "http.request.method",
    "http.request.method_original",
    "http.response.status_code",
    "http.route",
    "network.protocol.version",
    "server.address",
    "server.port",
    "url.path",
    "url.scheme",
    "user_agent.original",
)

_KNOWN_METHODS = frozenset(
    {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE", "QUERY"}
)
_MARK = "_dyne_otel"

#: Headers the server span's attributes are read from.
_ATTRIBUTE_HEADERS = frozenset({"host", "user-agent"})

#: (the global propagator, the header names it reads), refreshed when it is replaced
_fields_cache: tuple[TextMapPropagator | None, frozenset[str]] = (None, frozenset())


def _propagated_fields() -> frozenset[str]:
    """The (lower-case) header names the global propagator reads."""
    global _fields_cache
    textmap = propagate.get_global_textmap()
    cached, fields = _fields_cache
    if cached is not textmap:
        fields = frozenset(field.lower() for field in textmap.fields)
        _fields_cache = (textmap, fields)
    return fields


def instrument(app: App, *, tracer_provider: TracerProvider | None = None) -> None:
    """Trace ``app``: a server span per request, spans for request attributes such as
    ``req.db`` and for background tasks. Call it once, before the app serves.

    :param tracer_provider: where spans go (default: OpenTelemetry's global provider).
    :raises RuntimeError: when ``app`` is already instrumented or already serving.
    """
    if any(getattr(wrap, _MARK, False) for wrap in app.background.wrappers):
        raise RuntimeError("This app is already instrumented; call instrument(app) once.")
    tracer = trace.get_tracer("dyne.ext.otel", __version__, tracer_provider=tracer_provider)
    app.add_middleware(TracingMiddleware, dyne_app=app, tracer=tracer)
    app.background.wrappers.append(_background_wrapper(tracer))


class TracingMiddleware:
    """Opens the server span of each HTTP request and each WebSocket connection (its
    parent: the incoming trace context)."""

    def __init__(self, app: ASGIApp, *, dyne_app: App, tracer: Tracer) -> None:
        self.app = app
        self.dyne_app = dyne_app
        self.tracer = tracer
        # Built with the stack, at the first request: every extension has registered its
        # request attributes by now.
        _trace_request_properties(dyne_app, tracer)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "websocket":
            await self._websocket(scope, receive, send)
            return
        if kind != "http" or app_path(scope) in self.dyne_app.unobserved_paths:
            await self.app(scope, receive, send)
            return
        carrier = _carrier(scope)
        parent = propagate.extract(carrier)
        method = scope["method"]
        known = method if method in _KNOWN_METHODS else "_OTHER"
        attributes = _request_attributes(scope, carrier, known)
        if known != method:
            attributes["http.request.method_original"] = method
        request_id = scope.get("dyne.request_id")
        if request_id is not None:
            attributes["dyne.request_id"] = request_id
        with self.tracer.start_as_current_span(
            known, context=parent, kind=SpanKind.SERVER, attributes=attributes
        ) as span:

            async def traced_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status = message["status"]
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_attribute("error.type", str(status))
                        span.set_status(Status(StatusCode.ERROR))
                await send(message)

            try:
                await self.app(scope, receive, traced_send)
            finally:
                route = route_template(self.dyne_app, scope)
                if route is not None:
                    span.set_attribute("http.route", route)
                    span.update_name(f"{known} {route}")

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One span for the whole connection, ``WEBSOCKET /route``: its handshake status
        (101 accepted, 403 refused), the close code the app sent, an error on 1011."""
        carrier = _carrier(scope)
        attributes = _request_attributes(scope, carrier, "GET")  # the handshake's method
        with self.tracer.start_as_current_span(
            "WEBSOCKET",
            context=propagate.extract(carrier),
            kind=SpanKind.SERVER,
            attributes=attributes,
        ) as span:
            accepted = False

            async def traced_send(message: Message) -> None:
                nonlocal accepted
                kind = message["type"]
                if kind == "websocket.accept":
                    accepted = True
                    span.set_attribute("http.response.status_code", 101)
                elif kind == "websocket.close":
                    code = int(message.get("code", 1000))
                    span.set_attribute("dyne.websocket.close_code", code)
                    if not accepted:  # closing before accepting refuses the handshake
                        span.set_attribute("http.response.status_code", 403)
                    if code == _CLOSE_INTERNAL_ERROR:
                        span.set_attribute("error.type", str(code))
                        span.set_status(Status(StatusCode.ERROR))
                await send(message)

            try:
                await self.app(scope, receive, traced_send)
            finally:
                route = _websocket_route(self.dyne_app, scope)
                if route is not None:
                    span.set_attribute("http.route", route)
                    span.update_name(f"WEBSOCKET {route}")


#: The close code of a WebSocket view that failed (RFC 6455 "internal error").
_CLOSE_INTERNAL_ERROR = 1011


def _carrier(scope: Scope) -> dict[str, str]:
    """The headers the propagators read (and two for the attributes), each joined once:
    building one string per name by repeated concatenation was quadratic in the number of
    repeated headers, which the client chooses."""
    wanted = _propagated_fields()
    values: dict[str, list[str]] = {}
    for name, value in scope.get("headers", ()):
        key = name.decode("latin-1")
        if key in wanted or key in _ATTRIBUTE_HEADERS:
            values.setdefault(key, []).append(value.decode("latin-1"))
    return {key: ",".join(parts) for key, parts in values.items()}


def _websocket_route(app: App, scope: Scope) -> str | None:
    """The template of the WebSocket route serving ``scope``, a mount's prefix followed
    by ``/*``, or None."""
    path = app_path(scope)
    try:
        route, _params = app.router.match_websocket(path)
    except NoMatch:
        mount = app.router.mount_for(path) if app.router.mounts else None
        return f"{mount.path}/*" if mount is not None else None
    return str(route.path)


def _request_attributes(
    scope: Scope, headers: dict[str, str], method: str
) -> dict[str, AttributeValue]:
    attributes: dict[str, AttributeValue] = {
        "http.request.method": method,
        "url.path": scope["path"],
        "url.scheme": scope.get("scheme", "http"),
        "network.protocol.version": scope.get("http_version", "1.1"),
    }
    host = headers.get("host")
    server = scope.get("server")
    if host:
        name, port = _split_host(host)
        attributes["server.address"] = name
        if port is not None:
            attributes["server.port"] = port
    elif server:
        attributes["server.address"] = server[0]
        if server[1] is not None:
            attributes["server.port"] = server[1]
    client = scope.get("client")
    if client:
        attributes["client.address"] = client[0]
        if client[1] is not None:
            attributes["client.port"] = client[1]
    agent = headers.get("user-agent")
    if agent:
        attributes["user_agent.original"] = agent
    return attributes


def _split_host(host: str) -> tuple[str, int | None]:
    """``(name, port)`` from a Host header value (``example.com:8000``, ``[::1]:80``)."""
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return host, None
        name, rest = host[1:end], host[end + 1 :]
        port = rest[1:] if rest.startswith(":") else ""
    else:
        name, _, port = host.partition(":")
    return name, int(port) if port.isdigit() and len(port) <= 5 else None


def _trace_request_properties(app: App, tracer: Tracer) -> None:
    """Wrap each request attribute extensions publish (``req.db``) in a span that lasts from
    its first use in a request to the end of that request."""
    for name, factory in list(app.request_properties.items()):
        if getattr(factory, _MARK, False):
            continue
        app.request_properties[name] = _traced_property(name, factory, tracer)


def _traced_property(
    name: str, factory: Callable[[Request], object], tracer: Tracer
) -> Callable[[Request], object]:
    flag = f"dyne_otel_{name}"

    @functools.wraps(factory)
    def traced(req: Request) -> object:
        state = req.state
        if not getattr(state, flag, False):
            setattr(state, flag, True)
            attributes = {"dyne.request_attribute": name}
            request_id = current_request_id()
            if request_id is not None:
                attributes["dyne.request_id"] = request_id
            span = tracer.start_span(f"req.{name}", kind=SpanKind.INTERNAL, attributes=attributes)

            async def end(req: Request, resp: Response, exc: BaseException | None) -> None:
                if exc is not None:
                    span.record_exception(exc)
                    span.set_status(Status(StatusCode.ERROR))
                span.end()

            # Registered before the extension's own finalizer (finalizers run in reverse),
            # so the span also covers the commit and close that end the request.
            req.add_finalizer(end)
        return factory(req)

    setattr(traced, _MARK, True)
    return traced


def _background_wrapper(
    tracer: Tracer,
) -> Callable[[Callable[..., object]], Callable[..., object]]:
    def wrap(func: Callable[..., object]) -> Callable[..., object]:
        name = getattr(func, "__qualname__", None) or repr(func)

        def attributes() -> dict[str, AttributeValue]:
            found: dict[str, AttributeValue] = {"dyne.background.task": name}
            request_id = current_request_id()
            if request_id is not None:
                found["dyne.request_id"] = request_id
            return found

        if is_async_callable(func):
            coroutine_function = cast(Callable[..., Awaitable[object]], func)

            @functools.wraps(func)
            async def traced_async(*args: object, **kwargs: object) -> object:
                with tracer.start_as_current_span(
                    f"background {name}", kind=SpanKind.INTERNAL, attributes=attributes()
                ):
                    return await coroutine_function(*args, **kwargs)

            return traced_async

        @functools.wraps(func)
        def traced_sync(*args: object, **kwargs: object) -> object:
            with tracer.start_as_current_span(
                f"background {name}", kind=SpanKind.INTERNAL, attributes=attributes()
            ):
                return func(*args, **kwargs)

        return traced_sync

    setattr(wrap, _MARK, True)
    return wrap
