"""The application: settings, routes, hooks, middleware and the ASGI entry point."""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State
from starlette.exceptions import HTTPException as StarletteHTTPException

from dyne._utils import is_async_callable
from dyne.background import BackgroundQueue
from dyne.config import Config
from dyne.exceptions import HTTPException
from dyne.request import ClientDisconnect, Request
from dyne.response import Response, resolve_return
from dyne.routing import Mount, NoMatch, Route, RouteError, Router, WebSocketRoute
from dyne.websockets import (
    CLOSE_INTERNAL_ERROR,
    CLOSE_POLICY_VIOLATION,
    WebSocket,
    WebSocketDisconnect,
    WebSocketState,
)

__all__ = ["App", "Limits"]

logger = logging.getLogger("dyne")

MiB = 1024 * 1024


DEFAULT_MAX_BODY_SIZE = 16 * MiB
DEFAULT_MAX_FORM_FIELDS = 1000
DEFAULT_MAX_FORM_FILES = 1000
DEFAULT_MAX_PART_SIZE = 1 * MiB
DEFAULT_SESSION_MAX_AGE = 14 * 24 * 3600
DEFAULT_GZIP_MIN_SIZE = 500
DEFAULT_BACKGROUND_TIMEOUT = 30.0


@dataclass(slots=True)
class Limits:
    """Bounds on what a request may send; past one, Dyne answers 413."""

    max_body_size: int = DEFAULT_MAX_BODY_SIZE
    max_form_fields: int = DEFAULT_MAX_FORM_FIELDS
    max_form_files: int = DEFAULT_MAX_FORM_FILES
    max_part_size: int = DEFAULT_MAX_PART_SIZE


class App:
    """A Dyne application: register views with :meth:`route`, serve it with any ASGI server.

    :param debug: show tracebacks for unhandled errors (default: the ``DEBUG`` config key).
    :param secret_key: signs cookie sessions (default: the ``SECRET_KEY`` config key).
    :param env_file: a ``.env`` file to read instead of ``./.env``.
    :param env_prefix: prefix for environment lookups (``DYNE_``).
    :param max_body_size: largest request body accepted, in bytes (413 past it).
    :param static_dir: directory served under ``static_route`` when it exists (never created).
    :param session_max_age: seconds a cookie session stays valid after it was last written.
    :param gzip: compress responses of at least ``gzip_min_size`` bytes for clients that
        accept gzip.
    :param background_timeout: seconds shutdown waits for running background tasks.
    """

    def __init__(
        self,
        *,
        debug: bool | None = None,
        static_dir: str | os.PathLike[str] | None = "static",
        static_route: str = "/static",
        templates_dir: str | os.PathLike[str] = "templates",
        auto_escape: bool = True,
        secret_key: str | None = None,
        enable_hsts: bool = False,
        cors: bool = False,
        cors_params: dict[str, Any] | None = None,
        allowed_hosts: list[str] | None = None,
        env_file: str | os.PathLike[str] | None = None,
        env_prefix: str = "",
        encoding: str = "utf-8",
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        max_form_fields: int = DEFAULT_MAX_FORM_FIELDS,
        max_form_files: int = DEFAULT_MAX_FORM_FILES,
        max_part_size: int = DEFAULT_MAX_PART_SIZE,
        session_max_age: int | None = DEFAULT_SESSION_MAX_AGE,
        session_https_only: bool = False,
        gzip: bool = True,
        gzip_min_size: int = DEFAULT_GZIP_MIN_SIZE,
        background_timeout: float | None = DEFAULT_BACKGROUND_TIMEOUT,
    ) -> None:
        self.config = Config(env_file=env_file, env_prefix=env_prefix, encoding=encoding)
        self._debug = debug
        self.secret_key: str | None = (
            secret_key if secret_key is not None else self.config.get("SECRET_KEY")
        )
        self.static_dir = static_dir
        self.static_route = static_route
        self.templates_dir = templates_dir
        self.auto_escape = auto_escape
        self.enable_hsts = enable_hsts
        self.cors = cors
        self.cors_params = dict(cors_params or {})
        self.allowed_hosts = (
            allowed_hosts
            if allowed_hosts is None or isinstance(allowed_hosts, str)
            else list(allowed_hosts)
        )
        self.limits = Limits(max_body_size, max_form_fields, max_form_files, max_part_size)
        if self.cors_params or self.allowed_hosts is not None:
            # Mistakes in these settings surface here, not at the first request.
            from dyne.middleware import check_allowed_hosts, cors_options

            cors_options(self.cors_params)
            if self.allowed_hosts is not None:
                check_allowed_hosts(self.allowed_hosts)
        self.session_max_age = session_max_age
        self.session_https_only = session_https_only
        self.gzip = gzip
        self.gzip_min_size = gzip_min_size
        self.background_timeout = background_timeout

        self.state = State()
        self.router = Router()
        self.background = BackgroundQueue()
        #: attributes that extensions add to every request (``req.db``): name → factory(req)
        self.request_properties: dict[str, Callable[[Request], Any]] = {}
        self._before_request: list[tuple[Callable[..., Any], bool]] = []
        self._before_websocket: list[Callable[..., Any]] = []
        self._error_handlers: dict[int | type[BaseException], Callable[..., Any]] = {}
        self._events: dict[str, list[Callable[..., Any]]] = {"startup": [], "shutdown": []}
        self._user_middleware: list[tuple[Any, dict[str, Any]]] = []
        self._stack: Any = None
        self._client: Any = None
        #: set by dyne.sessions on first use: signs and reads the session cookie
        self._session_codec: Any = None
        self._templates: Any = None
        #: the static directory, resolved now so a later chdir does not move it
        self._static_path = os.path.abspath(static_dir) if static_dir is not None else None
        self._static_mounted = False
        self._mount_static()

    @property
    def debug(self) -> bool:
        """Debug mode: given to ``App(debug=...)``, else the ``DEBUG`` config key (read when
        asked, so ``config.from_object`` after ``App()`` still counts)."""
        if self._debug is not None:
            return self._debug
        return bool(self.config.get("DEBUG", cast=bool, default=False))

    @debug.setter
    def debug(self, value: bool) -> None:
        self._debug = value

    # -- registration ------------------------------------------------------------------

    @property
    def routes(self) -> list[Any]:
        """Every registered route, WebSocket route and mount, in registration order."""
        return list(self.router.routes)

    def route(
        self,
        path: str | None = None,
        *,
        methods: list[str] | None = None,
        websocket: bool = False,
        before_request: bool = False,
        name: str | None = None,
    ) -> Callable[[Any], Any]:
        """Register the decorated view for ``path`` (``/items/{id:int}``).

        ``methods`` defaults to GET (HEAD is answered too). ``websocket=True`` registers a
        WebSocket view; ``before_request=True`` (without a path) runs the function before
        every request.
        """

        def decorator(endpoint: Any) -> Any:
            self.add_route(
                path,
                endpoint,
                methods=methods,
                websocket=websocket,
                before_request=before_request,
                name=name,
            )
            return endpoint

        return decorator

    def add_route(
        self,
        path: str | None = None,
        endpoint: Any = None,
        *,
        methods: list[str] | None = None,
        websocket: bool = False,
        before_request: bool = False,
        static: bool = False,
        name: str | None = None,
    ) -> None:
        """Register ``endpoint`` for ``path``; see :meth:`route` for the options."""
        if before_request:
            if endpoint is None:
                raise RouteError("add_route(before_request=True) needs the hook function.")
            if websocket:
                self._before_websocket.append(endpoint)
            else:
                self._before_request.append((endpoint, is_async_callable(endpoint)))
            return
        if static:
            self._add_static_route(path or "/")
            return
        if path is None or endpoint is None:
            raise RouteError("add_route() needs a path and an endpoint (or before_request=True).")
        if websocket:
            self.router.add(WebSocketRoute(path, endpoint, name=name))
        else:
            self.router.add(Route(path, endpoint, methods=methods, name=name))

    def _add_static_route(self, path: str) -> None:
        from dyne.staticfiles import add_single_page_app

        add_single_page_app(self, path)

    def _mount_static(self) -> None:
        # Mount the static directory only once it exists, and never create it: an App
        # built where there is no ``static/`` must leave the file system alone.
        if self._static_mounted or self._static_path is None:
            return
        if os.path.isdir(self._static_path):
            from dyne.staticfiles import mount_static

            mount_static(self)
            self._static_mounted = True

    def mount(self, prefix: str, app: Any, *, name: str | None = None) -> None:
        """Serve another ASGI app (or a WSGI app, adapted) under ``prefix``."""
        if not is_async_callable(app) and _looks_like_wsgi(app):
            from a2wsgi import WSGIMiddleware

            app = WSGIMiddleware(app)
        self.router.add(Mount(prefix, app, name=name))

    def add_middleware(self, middleware_class: Any, **options: Any) -> None:
        """Wrap the app in an ASGI middleware; the last added runs first."""
        if self._stack is not None:
            raise RuntimeError("Cannot add middleware after the app has started serving.")
        self._user_middleware.append((middleware_class, options))

    def error_handler(self, key: int | type[BaseException]) -> Callable[[Any], Any]:
        """Register ``async def handler(req, resp, exc)`` for a status code or exception class."""
        _check_error_key(key)

        def decorator(handler: Callable[..., Any]) -> Callable[..., Any]:
            self.add_error_handler(key, handler)
            return handler

        return decorator

    def add_error_handler(
        self, key: int | type[BaseException], handler: Callable[..., Any]
    ) -> None:
        """Register ``handler`` for a status code or an exception class."""
        _check_error_key(key)
        self._error_handlers[key] = handler

    def on_event(self, event: str, handler: Callable[..., Any] | None = None) -> Any:
        """Run the decorated function at ``"startup"`` or ``"shutdown"`` (sync or async)."""
        if event not in self._events:
            raise ValueError(f"Unknown event {event!r}; use 'startup' or 'shutdown'.")

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            self._events[event].append(func)
            return func

        return decorator(handler) if handler is not None else decorator

    add_event_handler = on_event

    def url_for(self, view_or_name: Any, **params: Any) -> str:
        """The path of the route for a view (or route name), with its parameters filled in."""
        return self.router.lookup(view_or_name).url_path(**params)

    @property
    def templates(self) -> Any:
        """The app's :class:`dyne.templates.Templates` for ``templates_dir``, made on first use."""
        templates = self._templates
        if templates is None:
            from dyne.templates import Templates

            templates = self._templates = Templates(
                directory=self.templates_dir, autoescape=self.auto_escape
            )
        return templates

    def template(self, name: str, /, *args: Any, **context: Any) -> str:
        """Render the template file ``name`` from ``templates_dir`` with ``context``."""
        return str(self.templates.render(name, *args, **context))

    def template_string(self, source: str, /, *args: Any, **context: Any) -> str:
        """Render the template text ``source`` with ``context``."""
        return str(self.templates.render_string(source, *args, **context))

    def redirect(
        self, resp: Response, location: str, *, set_text: bool = True, status_code: int = 301
    ) -> None:
        """Redirect ``resp`` to ``location``."""
        resp.redirect(location, status_code=status_code)
        if set_text:
            resp.text = f"Redirecting to: {resp.headers['location']}"

    # -- serving -----------------------------------------------------------------------

    def run(self, host: str = "127.0.0.1", port: int = 5042, **options: Any) -> None:
        """Serve the app with uvicorn (``PORT`` in the environment or config wins)."""
        import uvicorn

        port = self.config.get("PORT", cast=int, default=port)
        options.setdefault("log_level", "debug" if self.debug else "info")
        uvicorn.run(self, host=host, port=port, **options)

    serve = run

    @property
    def client(self) -> Any:
        """An in-process test client (``app.client.get("/")``), startup events already run."""
        if self._client is None:
            from dyne.testing import TestClient

            self._client = TestClient(self).start()
        return self._client

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        stack = self._stack
        if stack is None:
            self._mount_static()
            stack = self._stack = self._build_stack()
        scope["app"] = self
        await stack(scope, receive, send)

    def _build_stack(self) -> Any:
        """Compose the middleware around the core, outermost first: trusted hosts, HTTPS
        redirect, CORS, (debug) error page, user middleware, then Dyne's dispatch."""
        app: Any = self._dispatch
        for middleware_class, options in self._user_middleware:
            app = middleware_class(app, **options)
        if self.debug:
            from starlette.middleware.errors import ServerErrorMiddleware

            app = ServerErrorMiddleware(app, debug=True)
        elif self._user_middleware:
            # User middleware may raise outside Dyne's handlers: still answer a plain 500.
            from starlette.middleware.errors import ServerErrorMiddleware

            app = ServerErrorMiddleware(app, handler=self._middleware_error, debug=False)
        for wrap in self._platform_middleware():
            app = wrap(app)
        return app

    def _platform_middleware(self) -> list[Callable[[Any], Any]]:
        """The configured security middleware, innermost first (none unless asked for)."""
        from dyne.middleware import platform_middleware

        return platform_middleware(self)

    async def _middleware_error(self, request: Any, exc: Exception) -> Any:
        from starlette.responses import PlainTextResponse

        return PlainTextResponse("500 Internal Server Error", status_code=500)

    async def _dispatch(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "websocket":
            await self._websocket(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _http(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        req = Request(scope, receive, self)
        resp = Response(req)
        try:
            try:
                await self._handle(req, resp)
            except BaseException as exc:
                if req._finalizers:
                    await self._finalize(req, resp, exc)
                raise
            if req._finalizers:
                await self._finalize(req, resp, None)
            prepared = resp.prepare()
        except ClientDisconnect:
            return
        except _MountedApp as mounted:
            await mounted.app(scope, receive, send)
            return
        except Exception as exc:
            prepared = await self._error_response(req, resp, exc)
        try:
            if type(prepared) is tuple:
                await send(prepared[0])
                await send(prepared[1])
            else:
                await prepared(scope, receive, send)
        finally:
            if req._form is not None:
                await req.close()

    async def _handle(self, req: Request, resp: Response) -> None:
        if self._before_request:
            for hook, is_async in self._before_request:
                if is_async:
                    await hook(req, resp)
                else:
                    await run_in_threadpool(hook, req, resp)
                if resp.status_code >= 400:
                    return
        scope = req.scope
        path = scope["path"]
        if scope.get("root_path"):
            path = _route_path(scope)
        try:
            route, params = self.router.match(path, scope["method"])
        except NoMatch as miss:
            mount = self.router.mount_for(path) if self.router.mounts else None
            if mount is not None:
                raise _MountedApp(_mounted(mount)) from None
            if miss.allowed:
                raise HTTPException(
                    405,
                    f"Method {scope['method']} not allowed; use {', '.join(sorted(miss.allowed))}.",
                    headers={"Allow": ", ".join(sorted(miss.allowed))},
                ) from None
            fallback = self._not_found_fallback
            if fallback is not None and scope["method"] in ("GET", "HEAD"):
                await fallback(req, resp)
                return
            raise HTTPException(404) from None
        req.path_params = params
        if route.is_async:
            result = await route.endpoint(req, resp, **params)
        elif route.is_class_view:
            result = await _call_class_view(route.endpoint, req, resp, params)
        else:
            result = await run_in_threadpool(route.endpoint, req, resp, **params)
        if result is not None:
            resolve_return(resp, result)

    #: ``async def fallback(req, resp)`` for unmatched GETs (the single-page-app index).
    _not_found_fallback: Callable[..., Any] | None = None

    async def _finalize(self, req: Request, resp: Response, exc: BaseException | None) -> None:
        finalizers = req._finalizers or []
        req._finalizers = None
        error: BaseException | None = None
        for callback in reversed(finalizers):
            try:
                await callback(req, resp, exc)
            except Exception as failure:  # keep closing the others, then report the first
                error = error or failure
        if error is not None:
            raise error

    async def _error_response(self, req: Request, resp: Response, exc: Exception) -> Any:
        """Turn ``exc`` into a response through the registered handlers or the defaults."""
        if isinstance(exc, HTTPException | StarletteHTTPException):
            status = exc.status_code
        else:
            if self.debug:
                raise exc
            status = 500
            logger.error(
                "Unhandled %s while handling %s %s",
                type(exc).__name__,
                req.method,
                req.path,
                exc_info=exc,
            )
        resp._set(None, None)
        resp.status_code = status
        resp.mimetype = None
        resp.headers.pop("content-length", None)
        for name, value in (getattr(exc, "headers", None) or {}).items():
            resp.headers[name] = value
        handler = self._find_error_handler(exc, status)
        try:
            if handler is not None:
                if is_async_callable(handler):
                    await handler(req, resp, exc)
                else:
                    await run_in_threadpool(handler, req, resp, exc)
            else:
                _default_error_body(resp, exc, status)
            return resp.prepare()
        except Exception as failure:
            if self.debug:
                raise
            logger.error("The error handler for %s failed", status, exc_info=failure)
            fallback = Response(req)
            fallback.status_code = 500
            fallback.text = "500 Internal Server Error"
            return fallback.prepare()

    def _find_error_handler(self, exc: Exception, status: int) -> Callable[..., Any] | None:
        handlers = self._error_handlers
        if not handlers:
            return None
        for cls in type(exc).__mro__:
            if cls in handlers and cls not in (HTTPException, Exception, BaseException):
                return handlers[cls]
        handler = handlers.get(status)
        if handler is not None:
            return handler
        for cls in (HTTPException, Exception):
            if cls in handlers and isinstance(exc, cls):
                return handlers[cls]
        return None

    async def _websocket(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        ws = WebSocket(scope, receive, send)
        try:
            route, params = self.router.match_websocket(scope["path"])
        except NoMatch:
            mount = self.router.mount_for(scope["path"]) if self.router.mounts else None
            if mount is not None:
                await _mounted(mount)(scope, receive, send)
                return
            # Closing before accepting makes the server refuse the handshake (HTTP 403).
            await ws.close(code=CLOSE_POLICY_VIOLATION)
            return
        try:
            for hook in self._before_websocket:
                if is_async_callable(hook):
                    await hook(ws)
                else:
                    await run_in_threadpool(hook, ws)
                if ws.application_state == WebSocketState.DISCONNECTED:
                    return  # the hook closed the connection: the view must not run
            await route.endpoint(ws, **params)
        except WebSocketDisconnect:
            return  # the client went away, or Dyne closed on an undecodable frame
        except Exception as exc:
            if ws.application_state != WebSocketState.DISCONNECTED:
                await ws.close(code=CLOSE_INTERNAL_ERROR)
            if self.debug:
                raise
            logger.error(
                "Unhandled %s in WebSocket view for %s",
                type(exc).__name__,
                ws.url.path,
                exc_info=exc,
            )

    async def _lifespan(self, receive: Any, send: Any) -> None:
        started = False
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self._run_event("startup")
                except BaseException:
                    await send(
                        {"type": "lifespan.startup.failed", "message": traceback.format_exc()}
                    )
                    raise
                started = True
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    if started:
                        await self._run_event("shutdown")
                    await self.background.join(self.background_timeout)
                except BaseException:
                    await send(
                        {"type": "lifespan.shutdown.failed", "message": traceback.format_exc()}
                    )
                    raise
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _run_event(self, event: str) -> None:
        for handler in self._events[event]:
            if is_async_callable(handler):
                await handler()
            else:
                await run_in_threadpool(handler)


def _check_error_key(key: Any) -> None:
    if not (isinstance(key, int) or (isinstance(key, type) and issubclass(key, BaseException))):
        raise TypeError(f"error_handler() takes a status code or an exception class, not {key!r}.")


class _MountedApp(Exception):
    """Raised inside dispatch to hand the request over to a mounted app."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app


def _route_path(scope: dict[str, Any]) -> str:
    """The path below the app's root_path (a proxy prefix, or a mount point)."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        return path[len(root_path) :] or "/"
    return path


def _mounted(mount: Mount) -> Any:
    # As in Starlette: the path stays whole and root_path grows by the prefix, so the
    # mounted app (and a2wsgi for WSGI apps) sees its own path below the prefix.
    async def serve(scope: dict[str, Any], receive: Any, send: Any) -> None:
        child = dict(scope)
        child["root_path"] = scope.get("root_path", "") + mount.path
        await mount.app(child, receive, send)

    return serve


async def _call_class_view(cls: Any, req: Request, resp: Response, params: dict[str, Any]) -> Any:
    view = cls()
    result = None
    on_request = getattr(view, "on_request", None)
    if on_request is not None:
        result = await _call(on_request, req, resp, params)
    method = req.method.lower()
    handler = getattr(view, f"on_{method}", None)
    if handler is None and method == "head":
        handler = getattr(view, "on_get", None)
    if handler is not None:
        result = await _call(handler, req, resp, params)
    return result


async def _call(func: Any, req: Request, resp: Response, params: dict[str, Any]) -> Any:
    if is_async_callable(func):
        return await func(req, resp, **params)
    return await run_in_threadpool(func, req, resp, **params)


def _default_error_body(resp: Response, exc: Exception, status: int) -> None:
    if status == 404:
        resp.text = "Not Found"
    elif status >= 500 and not isinstance(exc, HTTPException | StarletteHTTPException):
        resp.text = "500 Internal Server Error"
    else:
        resp.text = str(getattr(exc, "detail", "") or "")


def _looks_like_wsgi(app: Any) -> bool:
    import inspect

    try:
        parameters = inspect.signature(app).parameters
    except (TypeError, ValueError):
        return False
    return len(parameters) == 2
