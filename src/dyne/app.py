"""The application: settings, routes, hooks and middleware (serving is in ``dispatch``)."""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import State

from dyne import _meta
from dyne._registration import RouteDecorators, check_error_key
from dyne._utils import as_async, is_async_callable
from dyne.background import BackgroundQueue
from dyne.broadcast import Broadcast
from dyne.config import Config
from dyne.dispatch import Dispatcher
from dyne.extension import Extensions
from dyne.formats import BodyFormat
from dyne.request import Request
from dyne.response import Response
from dyne.routing import Converter, Mount, Route, RouteError, Router, WebSocketRoute
from dyne.sessions import SessionCodec, check_secret_key, make_codec

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


class App(RouteDecorators, Dispatcher):
    """A Dyne application: register views with :meth:`route`, serve it with any ASGI server.

    :param debug: show tracebacks for unhandled errors (default: the ``DEBUG`` config key).
    :param secret_key: signs cookie sessions (default: the ``SECRET_KEY`` config key).
    :param env_file: a ``.env`` file to read instead of ``./.env``.
    :param env_prefix: prefix for environment lookups (``DYNE_``).
    :param environ: a mapping read instead of ``os.environ`` (tests and tools inject settings).
    :param max_body_size: largest request body accepted, in bytes (413 past it).
    :param static_dir: directory served under ``static_route`` when it exists (never created).
    :param static_route: where ``static_dir`` is served; ``None`` serves it nowhere (the
        directory still holds the single-page app's ``index.html``).
    :param session_max_age: seconds a cookie session stays valid after it was last written.
    :param session_store: keep sessions server-side (a :class:`dyne.sessions.SessionStore`,
        e.g. ``dyne.ext.redis.RedisSessionStore``); the cookie then carries only a signed id.
    :param gzip: compress responses of at least ``gzip_min_size`` bytes for clients that
        accept gzip.
    :param background_timeout: seconds shutdown waits for running background tasks.
    :param allowed_hosts: host patterns (``example.com``, ``*.example.com``, ``*``); other
        ``Host`` values get 400. A pattern that can never match raises ``ValueError``.
    :param enable_hsts: redirect http to https and send HSTS; needs ``allowed_hosts`` so
        the redirect only goes to a trusted host.
    :param problem_details: answer Dyne's errors as RFC 9457 ``application/problem+json``.
    :param request_id: give each request an ID (``req.id``), from a safe ``X-Request-ID`` or
        new, echoed in the response and in every log record; a string names another header.
    :param access_log: one log record per request on the ``dyne.access`` logger: ``True``
        for readable lines, ``"json"`` for JSON lines.
    :param cors_params: CORS settings; ``allow_credentials=True`` with any origin (``*``,
        ``null`` or a catch-all regex) raises ``ValueError``.
    """

    def __init__(
        self,
        *,
        debug: bool | None = None,
        static_dir: str | os.PathLike[str] | None = "static",
        static_route: str | None = "/static",
        templates_dir: str | os.PathLike[str] = "templates",
        auto_escape: bool = True,
        secret_key: str | None = None,
        enable_hsts: bool = False,
        cors: bool = False,
        cors_params: dict[str, Any] | None = None,
        allowed_hosts: list[str] | None = None,
        env_file: str | os.PathLike[str] | None = None,
        env_prefix: str = "",
        environ: Mapping[str, str] | None = None,
        encoding: str = "utf-8",
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        max_form_fields: int = DEFAULT_MAX_FORM_FIELDS,
        max_form_files: int = DEFAULT_MAX_FORM_FILES,
        max_part_size: int = DEFAULT_MAX_PART_SIZE,
        session_max_age: int | None = DEFAULT_SESSION_MAX_AGE,
        session_https_only: bool = False,
        session_store: Any = None,
        gzip: bool = True,
        gzip_min_size: int = DEFAULT_GZIP_MIN_SIZE,
        background_timeout: float | None = DEFAULT_BACKGROUND_TIMEOUT,
        problem_details: bool = False,
        request_id: bool | str = False,
        access_log: bool | str = False,
    ) -> None:
        self.config = Config(
            env_file=env_file, env_prefix=env_prefix, encoding=encoding, environ=environ
        )
        self._debug = debug
        self.secret_key: str | None = (
            secret_key if secret_key is not None else self.config.get("SECRET_KEY")
        )
        if self.secret_key:  # a short signing key fails here, not at the first session
            check_secret_key(self.secret_key, "secret_key" if secret_key else "SECRET_KEY")
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
        if enable_hsts and self.allowed_hosts is None:
            logger.warning(
                "enable_hsts=True without allowed_hosts: the HTTPS redirect goes to whatever "
                "well-formed Host the client sent (never cached); in production also pass "
                "allowed_hosts=['example.com'] so requests for other hosts are refused."
            )
        self.session_max_age = session_max_age
        self.session_https_only = session_https_only
        #: a :class:`dyne.sessions.SessionStore`, or None: the session lives in the cookie
        self.session_store = session_store
        self.gzip = gzip
        self.gzip_min_size = gzip_min_size
        self.background_timeout = background_timeout
        self.problem_details = problem_details
        from dyne import observability

        #: the request ID header (None: request IDs are off)
        self.request_id_header = observability.request_id_header(request_id)
        #: ``"text"`` or ``"json"`` when the access log is on, else None
        self.access_log_style = observability.access_log_style(access_log)
        #: paths the access log and tracing leave out (the health endpoints, by default)
        self.unobserved_paths: set[str] = set()
        #: readiness checks run by ``app.health()``'s ready endpoint: name → check()
        self.health_checks: dict[str, Callable[[], Any]] = {}
        if self.request_id_header is not None or self.access_log_style is not None:
            observability.configure(self)

        self.state = State()
        #: app-wide state of each extension by its name (``dyne.extension.register``)
        self.extensions = Extensions()
        #: body formats added by extensions (``dyne.extension.add_body_format``), by name
        self.body_formats: dict[str, BodyFormat] = {}
        #: path converters by name: empty (the built-in ones) until an extension adds one
        #: (``dyne.extension.add_path_converter``); then the built-in ones plus the app's
        self.path_converters: dict[str, Converter] = {}
        self.router = Router()
        self.background = BackgroundQueue()
        #: publish/subscribe between requests, WebSockets and (with a shared backend) workers
        self.broadcast = Broadcast()
        #: attributes that extensions add to every request (``req.db``): name → factory(req)
        self.request_properties: dict[str, Callable[[Request], Any]] = {}
        self._before_request: list[Callable[..., Awaitable[Any]]] = []
        self._before_websocket: list[Callable[..., Awaitable[Any]]] = []
        self._error_handlers: dict[int | type[BaseException], Callable[..., Any]] = {}
        self._events: dict[str, list[Callable[..., Any]]] = {"startup": [], "shutdown": []}
        self._user_middleware: list[tuple[Any, dict[str, Any]]] = []
        self._stack: Any = None
        self._client: Any = None
        self._session_codec: SessionCodec | None = None
        self._templates: Any = None
        #: the static directory, resolved now so a later chdir does not move it
        self._static_path = os.path.abspath(static_dir) if static_dir is not None else None
        self._static_mounted = False
        self._mount_static()

    @property
    def session_codec(self) -> SessionCodec:
        """Signs the session cookie and reads it back: made from the secret key (and
        ``session_max_age``) the first time a cookie session is read or written, so a key
        set after ``App()`` still counts."""
        codec = self._session_codec
        if codec is None:
            codec = self._session_codec = make_codec(self)
        return codec

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
        tags: list[str] | tuple[str, ...] | None = None,
    ) -> None:
        """Register ``endpoint`` for ``path``; see :meth:`route` for the options."""
        if before_request:
            if endpoint is None:
                raise RouteError("add_route(before_request=True) needs the hook function.")
            # Converted once, here: a sync hook runs in the thread pool, an async one as is.
            hook = as_async(endpoint)
            (self._before_websocket if websocket else self._before_request).append(hook)
            return
        if static:
            self._add_static_route(path or "/")
            return
        if path is None or endpoint is None:
            raise RouteError("add_route() needs a path and an endpoint (or before_request=True).")
        table = self.path_converters or None
        if websocket:
            self.router.add(WebSocketRoute(path, endpoint, name=name, converters=table))
        else:
            self.router.add(
                Route(path, endpoint, methods=methods, name=name, tags=tags, converters=table)
            )
        # Lets a guard or validator stacked above @app.route fail loudly (see dyne._meta).
        _meta.mark_routed(endpoint)

    def before_request(
        self, hook: Callable[..., Any] | None = None, *, websocket: bool = False
    ) -> Any:
        """Run the decorated ``hook(req, resp)`` before every request (``websocket=True``:
        ``async def hook(ws)`` before every WebSocket view); the decorator form of
        ``@app.route(before_request=True)``. A hook that redirects, sets any other
        status of 300 or more, or sets ``resp.complete`` ends the request."""

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            if not callable(func):
                raise TypeError(f"A before_request hook must be callable, not {func!r}.")
            self.add_route(endpoint=func, before_request=True, websocket=websocket)
            return func

        return decorator(hook) if hook is not None else decorator

    def include(self, blueprint: Any, prefix: str | None = None) -> None:
        """Add a :class:`dyne.Blueprint`'s routes, with ``prefix`` before the blueprint's own.

        Done once, now: the routes become ordinary routes of this app (guards, hooks and
        error handlers folded in), so they cost what routes registered here cost. A path,
        method or name already taken raises ``RouteError`` naming both routes.
        """
        from dyne.blueprints import Blueprint

        if not isinstance(blueprint, Blueprint):
            raise TypeError(f"include() takes a dyne.Blueprint, not {blueprint!r}.")
        blueprint.register(self, prefix)

    def _add_static_route(self, path: str) -> None:
        from dyne.staticfiles import add_single_page_app

        add_single_page_app(self, path)

    def _mount_static(self) -> None:
        # Mount the static directory only once it exists, and never create it: an App
        # built where there is no ``static/`` must leave the file system alone.
        if self._static_mounted or self._static_path is None or self.static_route is None:
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

    def add_error_handler(
        self, key: int | type[BaseException], handler: Callable[..., Any]
    ) -> None:
        """Register ``handler`` for a status code or an exception class."""
        check_error_key(key)
        self._error_handlers[key] = as_async(handler)

    def on_event(self, event: str, handler: Callable[..., Any] | None = None) -> Any:
        """Run the decorated function at ``"startup"`` or ``"shutdown"`` (sync or async)."""
        if event not in self._events:
            raise ValueError(f"Unknown event {event!r}; use 'startup' or 'shutdown'.")

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            self._events[event].append(as_async(func))
            return func

        return decorator(handler) if handler is not None else decorator

    def health(self, path: str = "/health", *, timeout: float = 2.0, observe: bool = False) -> None:
        """Serve ``GET {path}/live`` (200 while serving) and ``GET {path}/ready`` (200 when
        every :attr:`health_checks` entry passes within ``timeout`` seconds, else 503); left
        out of the access log and traces unless ``observe``."""
        from dyne.health import install

        install(self, path, timeout=timeout, observe=observe)

    def add_health_check(self, name: str, check: Callable[[], Any]) -> None:
        """Add a readiness check: ``[async] def check()`` fails by raising or returning False."""
        if not callable(check):
            raise TypeError(f"Health check {name!r} must be callable, not {check!r}.")
        self.health_checks[name] = check

    def set_not_found_fallback(self, fallback: Callable[[Request, Response], Any]) -> None:
        """Answer GET and HEAD requests that no route matches with ``fallback(req, resp)``
        (the single-page-app index; ``def`` or ``async def``); it may raise
        ``HTTPException(404)``."""
        if not callable(fallback):
            raise TypeError(f"The not-found fallback must be callable, not {fallback!r}.")
        self._not_found_fallback = as_async(fallback)  # a def runs in the thread pool

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
        if self.access_log_style is not None:
            options.setdefault("access_log", False)  # Dyne's access log replaces uvicorn's
        uvicorn.run(self, host=host, port=port, **options)

    @property
    def client(self) -> Any:
        """An in-process test client (``app.client.get("/")``), startup events already run."""
        if self._client is None:
            from dyne.testing import TestClient

            self._client = TestClient(self).start()
        return self._client

    def test_client(self, base_url: str = "http://;", **options: Any) -> Any:
        """A new in-process test client for another base URL (``https://example.com``, or
        ``http://testserver/api`` for a sub-path); other ``options`` go to
        :class:`dyne.testing.TestClient`. Use it in a ``with`` block to run the startup and
        shutdown events (``app.client`` is the shared one, already started)."""
        from dyne.testing import TestClient

        return TestClient(self, base_url=base_url, **options)

    def _build_stack(self) -> Any:
        # The static directory may have appeared since App() was made: look once more.
        self._mount_static()
        return super()._build_stack()


def _looks_like_wsgi(app: Any) -> bool:
    import inspect

    try:
        parameters = inspect.signature(app).parameters
    except (TypeError, ValueError):
        return False
    return len(parameters) == 2
