"""Serving: the ASGI entry point, the middleware stack, and how a request becomes a response.

:class:`Dispatcher` is the half of :class:`dyne.App` that runs per request; the other half
(``app.py``) holds the settings and registration. Keeping them apart keeps the hot path
in one short file.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.websockets import WebSocketState

from dyne._utils import is_async_callable
from dyne.exceptions import HTTPException
from dyne.problems import Problem
from dyne.request import ClientDisconnect, Request
from dyne.response import BufferedResponse, Response, resolve_return
from dyne.routing import Mount, NoMatch, method_handler
from dyne.websockets import (
    CLOSE_INTERNAL_ERROR,
    CLOSE_POLICY_VIOLATION,
    WebSocket,
    WebSocketDisconnect,
)

if TYPE_CHECKING:
    from dyne.app import App
    from dyne.background import BackgroundQueue
    from dyne.routing import Router
    from dyne.types import ASGIApp, Receive, Scope, Send

__all__ = ["SCOPED_ERROR_HANDLERS", "Dispatcher"]

#: scope key under which a blueprint's route leaves its error handlers (innermost blueprint
#: first) when an exception leaves it; they are tried before the app's.
SCOPED_ERROR_HANDLERS = "dyne.error_handlers"

logger = logging.getLogger("dyne")


class Dispatcher:
    """Serves an app: builds its middleware stack once and answers HTTP, WebSocket and
    lifespan events. Mixed into :class:`dyne.App`, whose registration fills the tables
    read here."""

    router: Router
    background: BackgroundQueue
    debug: bool
    background_timeout: float | None
    problem_details: bool
    request_id_header: str | None
    access_log_style: str | None
    _before_request: list[Callable[..., Awaitable[Any]]]
    _before_websocket: list[Callable[..., Awaitable[Any]]]
    _error_handlers: dict[int | type[BaseException], Callable[..., Any]]
    _events: dict[str, list[Callable[..., Any]]]
    _user_middleware: list[tuple[Any, dict[str, Any]]]
    _stack: Any

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        stack = self._stack
        if stack is None:
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
        if self.request_id_header is not None or self.access_log_style is not None:
            from dyne.observability import ObservabilityMiddleware

            app = ObservabilityMiddleware(app, cast("App", self))
        return app

    def _platform_middleware(self) -> list[Callable[[Any], Any]]:
        """The configured security middleware, innermost first (none unless asked for)."""
        from dyne.middleware import platform_middleware

        return platform_middleware(cast("App", self))

    async def _middleware_error(self, request: Any, exc: Exception) -> Any:
        from starlette.responses import PlainTextResponse

        if self.problem_details:
            from starlette.responses import Response as StarletteResponse

            resp = Response(Request(request.scope, None, self))  # type: ignore[arg-type]
            Problem.from_exception(exc).render(resp)
            # A problem body is never a file or a stream: always a BufferedResponse.
            start, body = cast("BufferedResponse", resp.prepare())
            answer = StarletteResponse(body["body"], status_code=start["status"])
            answer.raw_headers = start["headers"]
            return answer
        return PlainTextResponse("500 Internal Server Error", status_code=500)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "websocket":
            await self._websocket(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        req = Request(scope, receive, self)  # type: ignore[arg-type]  # self is the App
        resp = Response(req)
        prepared: ASGIApp | None = None
        try:
            try:
                mounted = await self._handle(req, resp)
                if mounted is None:
                    # Rendered before the finalizers run, so a response that cannot be
                    # encoded reaches them as the error it is (a rollback, not a commit).
                    prepared = resp.prepare()
            except BaseException as exc:
                if req._finalizers:
                    await self._finalize(req, resp, exc)
                raise
            if req._finalizers:
                await self._finalize(req, resp, None)
        except ClientDisconnect:
            return
        except Exception as exc:
            prepared = await self._error_response(req, resp, exc)
        if prepared is None:  # a mounted app answers, outside Dyne's error handling
            await cast("ASGIApp", mounted)(scope, receive, send)
            return
        try:
            if type(prepared) is BufferedResponse:  # the common case: no call, two sends
                await send(prepared[0])
                await send(prepared[1])
            else:
                await prepared(scope, receive, send)
        finally:
            if req._form is not None:
                await req.close()

    async def _handle(self, req: Request, resp: Response) -> ASGIApp | None:
        """Answer ``req`` in ``resp``; or return the mounted app that serves its path."""
        if self._before_request:
            for hook in self._before_request:
                await hook(req, resp)  # as_async at registration: a def runs in the pool
                # A redirect (the login page) ends the request as surely as a refusal.
                if resp.status_code >= 300 or resp.complete:
                    return None
        scope = req.scope
        path = scope["path"]
        if scope.get("root_path"):
            path = _route_path(scope)
        try:
            route, params = self.router.match(path, scope["method"])
        except NoMatch as miss:
            mount = self.router.mount_for(path) if self.router.mounts else None
            if mount is not None:
                return _mounted(mount)
            if miss.allowed:
                allow = ", ".join(sorted(miss.allowed | {"OPTIONS"}))
                if scope["method"] == "OPTIONS":
                    # The route does not handle OPTIONS itself: answer for it, so no view
                    # (and no guard's OPTIONS exception) ever runs for this method.
                    resp.headers["allow"] = allow
                    return None
                raise HTTPException(
                    405,
                    f"Method {scope['method']} not allowed; use {allow}.",
                    headers={"Allow": allow},
                ) from None
            fallback = self._not_found_fallback
            if fallback is not None and scope["method"] in ("GET", "HEAD"):
                await fallback(req, resp)
                return None
            if (
                self._error_handlers
                or self.problem_details
                or req._finalizers
                or SCOPED_ERROR_HANDLERS in scope
            ):
                raise HTTPException(404) from None
            # Nothing could reshape the 404: write the default answer in place, exactly as
            # _error_response would, without raising and catching an exception.
            resp._set("text", "Not Found")
            resp.status_code = 404
            resp.mimetype = None
            if resp.headers:
                resp.headers.pop("content-length", None)
            return None
        req.path_params = params
        if route.is_async:
            result = await route.endpoint(req, resp, **params)
        elif route.is_class_view:
            result = await _call_class_view(route.endpoint, req, resp, params)
        else:
            result = await run_in_threadpool(route.endpoint, req, resp, **params)
        if result is not None:
            resolve_return(resp, result)
        return None

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

    async def _error_response(self, req: Request, resp: Response, exc: Exception) -> ASGIApp:
        """Turn ``exc`` into a response through the registered handlers or the defaults."""
        scoped = req.scope.get(SCOPED_ERROR_HANDLERS, ())
        if isinstance(exc, HTTPException | StarletteHTTPException):
            status = exc.status_code
        else:
            status = 500
            # A handler registered for the exception's class takes it: not an unhandled
            # error, and answered the same way in debug mode (debug only changes what an
            # unhandled error shows).
            if not any(
                cls in handlers
                for handlers in (*scoped, self._error_handlers)
                for cls in type(exc).__mro__
                if cls not in (Exception, BaseException)
            ):
                if self.debug:
                    raise exc
                logger.error(
                    "Unhandled %s while handling %s %s",
                    type(exc).__name__,
                    req.method,
                    _loggable(req.path),
                    exc_info=exc,
                )
        resp._set(None, None)
        resp.status_code = status
        resp.mimetype = None
        resp.headers.pop("content-length", None)
        handler = self._find_error_handler(exc, status, scoped)
        try:
            for name, value in (getattr(exc, "headers", None) or {}).items():
                resp.headers[name] = value  # checked: a CR/LF here is the server's mistake
            if handler is not None:
                await handler(req, resp, exc)
            elif self.problem_details or isinstance(exc, Problem):
                Problem.from_exception(exc).render(resp)
            else:
                _default_error_body(resp, exc, status)
            return resp.prepare()
        except Exception as failure:
            if self.debug:
                raise
            logger.error("Answering the %s error failed", status, exc_info=failure)
            fallback = Response(req)
            fallback.status_code = 500
            fallback.text = "500 Internal Server Error"
            return fallback.prepare()

    def _find_error_handler(
        self, exc: Exception, status: int, scoped: tuple[Any, ...] = ()
    ) -> Callable[..., Any] | None:
        for handlers in (*scoped, self._error_handlers):
            handler = _error_handler_in(handlers, exc, status)
            if handler is not None:
                return handler
        return None

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        ws = WebSocket(scope, receive, send)
        # Below the proxy prefix (root_path), as for HTTP: behind `--root-path /api` the
        # server's path is /api/ws while the route is /ws.
        path = _route_path(scope) if scope.get("root_path") else scope["path"]
        try:
            route, params = self.router.match_websocket(path)
        except NoMatch:
            mount = self.router.mount_for(path) if self.router.mounts else None
            if mount is not None:
                await _mounted(mount)(scope, receive, send)
                return
            # Closing before accepting makes the server refuse the handshake (HTTP 403).
            await ws.close(code=CLOSE_POLICY_VIOLATION)
            return
        try:
            for hook in self._before_websocket:
                await hook(ws)
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
                _loggable(ws.url.path),
                exc_info=exc,
            )

    async def _lifespan(self, receive: Receive, send: Send) -> None:
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
            await handler()


def _loggable(text: str) -> str:
    """``text`` from the client, safe in a log line: a decoded path may hold CR/LF (``%0a``),
    which would start a forged line in a plain-text log."""
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def _error_handler_in(
    handlers: dict[Any, Callable[..., Any]], exc: Exception, status: int
) -> Callable[..., Any] | None:
    """The handler in ``handlers`` for ``exc``: its class (or a base), then its status, then
    the HTTPException and Exception catch-alls."""
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


def _route_path(scope: Scope) -> str:
    """The path below the app's root_path (a proxy prefix, or a mount point)."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        return path[len(root_path) :] or "/"
    return path


def _mounted(mount: Mount) -> ASGIApp:
    # As in Starlette: the path stays whole and root_path grows by the prefix, so the
    # mounted app (and a2wsgi for WSGI apps) sees its own path below the prefix.
    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
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
        if resp.complete or resp.status_code >= 300:
            return result  # on_request refused or answered: the method handler must not run
    handler = method_handler(view, req.method)
    if handler is not None:
        result = await _call(handler, req, resp, params)
    return result


async def _call(func: Any, req: Request, resp: Response, params: dict[str, Any]) -> Any:
    if is_async_callable(func):
        return await func(req, resp, **params)
    return await run_in_threadpool(func, req, resp, **params)


def _default_error_body(resp: Response, exc: Exception, status: int) -> None:
    media = getattr(exc, "media", None)
    if media is not None and isinstance(exc, HTTPException):
        resp.media = media
    elif status == 404:
        resp.text = "Not Found"
    elif status >= 500 and not isinstance(exc, HTTPException | StarletteHTTPException):
        resp.text = "500 Internal Server Error"
    else:
        resp.text = str(getattr(exc, "detail", "") or "")
