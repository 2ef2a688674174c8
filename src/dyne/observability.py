"""Request IDs and the access log: one ASGI layer, installed only when asked for.

``App(request_id=True)`` gives every HTTP request an ID: the client's ``X-Request-ID``
when it is safe (1 to 128 letters, digits and ``-_.:+/=``), else a new random one. It is
``req.id``, echoed in the response header, a member of problem details, and the
``request_id`` attribute of every log record emitted while the request runs (Dyne's,
the user's, and those of background tasks the request started).

``App(access_log=True)`` (or ``"json"``) writes one record per request to the
``dyne.access`` logger: method, route template, status, duration, response size, client
address and request ID.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
import time
from typing import TYPE_CHECKING, Any

from dyne.routing import NoMatch
from dyne.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from dyne.app import App

__all__ = [
    "ACCESS_LOGGER",
    "DEFAULT_REQUEST_ID_HEADER",
    "JSONFormatter",
    "ObservabilityMiddleware",
    "ReadableFormatter",
    "RequestIdFilter",
    "app_path",
    "current_request_id",
    "route_template",
]

#: The header a request ID is read from and echoed in unless ``App(request_id=...)`` names one.
DEFAULT_REQUEST_ID_HEADER = "X-Request-ID"
#: The logger the access log writes to.
ACCESS_LOGGER = "dyne.access"

# What an incoming ID may be: bounded, and nothing that could split a header or a log line.
_SAFE_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")
_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}")
_ACCESS_STYLES: dict[bool | str, str] = {True: "text", "text": "text", "json": "json"}

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "dyne_request_id", default=None
)


def current_request_id() -> str | None:
    """The ID of the request being handled (also in the background tasks it started),
    or None outside a request or when request IDs are off."""
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Sets ``record.request_id`` (None outside a request) when it is missing; Dyne's
    log record factory already does so, this is for ``dictConfig`` setups that rebuild it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the attribute and keep the record."""
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


def _install_record_factory() -> None:
    """Give every log record a ``request_id`` attribute, whoever logs it (once per process)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_dyne_request_id", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = _request_id.get()
        return record

    factory._dyne_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def request_id_header(value: bool | str) -> str | None:
    """The header name ``App(request_id=value)`` means (None when off); ``ValueError`` for a
    name that is not a valid header name."""
    if value is False or value is None:
        return None
    if value is True:
        return DEFAULT_REQUEST_ID_HEADER
    if isinstance(value, str) and _HEADER_NAME.fullmatch(value):
        return value
    raise ValueError(
        f"Invalid request_id {value!r}; pass True (the X-Request-ID header) or a header name "
        "such as 'X-Correlation-ID'."
    )


def access_log_style(value: bool | str) -> str | None:
    """The formatter ``App(access_log=value)`` asks for (``text``/``json``), None when off."""
    if value is False or value is None:
        return None
    style = _ACCESS_STYLES.get(value) if isinstance(value, bool | str) else None
    if style is None:
        raise ValueError(
            f"Invalid access_log {value!r}; pass True (readable lines), 'json' or False."
        )
    return str(style)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """Writes to whatever ``sys.stderr`` is when a record is emitted (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override,unused-ignore]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        # StreamHandler.__init__ and setStream assign a stream; this handler always writes
        # to the current sys.stderr instead, so the assignment is deliberately dropped.
        del value


def configure(app: App) -> None:
    """Set up what ``app``'s settings ask for, once, at ``App()``."""
    if app.request_id_header is not None:
        _install_record_factory()
    if app.access_log_style is not None:
        logger = logging.getLogger(ACCESS_LOGGER)
        if not logger.handlers:
            # Nobody configured the access logger: write to stderr, and only there, so
            # the root logger does not print each request twice.
            handler = _StderrHandler()
            style = app.access_log_style
            handler.setFormatter(JSONFormatter() if style == "json" else ReadableFormatter())
            logger.addHandler(handler)
            logger.propagate = False
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)


def app_path(scope: Scope) -> str:
    """The request's path as the app's routes see it: below ``root_path`` (a proxy prefix)."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        return path[len(root_path) :] or "/"
    return path


def route_template(app: Any, scope: Scope) -> str | None:
    """The route template (``/items/{id:int}``) that serves ``scope``, a mount's prefix
    followed by ``/*``, or None when nothing matches."""
    path = app_path(scope)
    router = app.router
    try:
        route, _params = router.match(path, scope["method"])
    except NoMatch as miss:
        if miss.allowed:  # a 405: the route exists for other methods
            route, _params = router.match(path, next(iter(miss.allowed)))
            return str(route.path)
        mount = router.mount_for(path) if router.mounts else None
        return f"{mount.path}/*" if mount is not None else None
    return str(route.path)


def _printable(value: str) -> str:
    # The method comes from the client: keep a log line one line whatever it holds.
    return value if value.isalpha() else value.encode("unicode_escape").decode("ascii")


class ObservabilityMiddleware:
    """Sets the request ID (scope, context, response header) and writes the access log.

    Built into the stack only when ``request_id`` or ``access_log`` is on, outside every
    other layer, so a refused host or an HTTPS redirect is logged and carries the ID too.
    """

    def __init__(self, app: ASGIApp, dyne_app: App) -> None:
        self.app = app
        self.dyne_app = dyne_app
        header = dyne_app.request_id_header
        self.header = header.lower().encode("latin-1") if header else None
        self.access = (
            logging.getLogger(ACCESS_LOGGER) if dyne_app.access_log_style is not None else None
        )
        #: the app's live set: paths added later (``app.health()``) count too
        self.unobserved = dyne_app.unobserved_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = self.header
        token = None
        request_id = None
        if header is not None:
            request_id = _incoming_id(scope, header)
            scope["dyne.request_id"] = request_id
            token = _request_id.set(request_id)
        access = self.access
        if access is not None and app_path(scope) in self.unobserved:
            access = None
        if access is None and header is None:
            await self.app(scope, receive, send)
            return
        facts = [0, 0]  # status (0: nothing sent yet), body bytes
        echo = (header, request_id.encode("latin-1")) if request_id is not None else None

        async def send_on(message: Message) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                facts[0] = message["status"]
                if echo is not None:
                    headers = message.get("headers", ())
                    for name, _value in headers:
                        if name.lower() == header:
                            break  # the view set its own: one value, the view's
                    else:
                        message["headers"] = [*headers, echo]
            elif kind == "http.response.body":
                facts[1] += len(message.get("body", b""))
            await send(message)

        start = time.perf_counter()
        failed = True
        try:
            await self.app(scope, receive, send_on)
            failed = False
        finally:
            try:
                if access is not None:
                    if not facts[0]:  # no answer: an error past Dyne, or the client left
                        facts[0] = 500 if failed else 499
                    self._log(access, scope, facts, time.perf_counter() - start)
            finally:
                if token is not None:
                    _request_id.reset(token)

    def _log(self, access: logging.Logger, scope: Scope, facts: list[int], took: float) -> None:
        method = _printable(scope["method"])
        route = route_template(self.dyne_app, scope) or "-"
        client = scope.get("client")
        address = client[0] if client else "-"
        duration_ms = round(took * 1000, 3)
        if not access.isEnabledFor(logging.INFO):
            return
        # Made and handled directly: logger.info() would walk the stack to find a caller
        # that is always this line.
        record = access.makeRecord(
            ACCESS_LOGGER,
            logging.INFO,
            __file__,
            0,
            '%s "%s %s" %d %dB %.1fms',
            (address, method, route, facts[0], facts[1], duration_ms),
            None,
            "ObservabilityMiddleware",
            {
                "method": method,
                "route": route,
                "status": facts[0],
                "size": facts[1],
                "duration_ms": duration_ms,
                "client": address,
            },
        )
        access.handle(record)


def _incoming_id(scope: Scope, header: bytes) -> str:
    for name, value in scope.get("headers", ()):
        if name == header:
            text: str = value.decode("latin-1")
            if _SAFE_ID.fullmatch(text):
                return text
            break
    return os.urandom(16).hex()  # 128 random bits, like a uuid4, at a fifth of its cost


_encode_json = json.JSONEncoder(ensure_ascii=False, default=str).encode
# Attributes every LogRecord has: not "extra" facts worth repeating in a JSON line.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JSONFormatter(logging.Formatter):
    """One JSON object per line for log pipelines: ``time`` (UTC, ISO 8601), ``level``,
    ``logger``, ``message``, ``request_id``, the access log's fields or any other
    ``extra`` values, and ``exception`` (the traceback) when there is one."""

    #: (second, its ISO 8601 text): one attribute, so threads sharing the formatter
    #: never see a second paired with another second's text
    _last: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        created = record.created
        second = int(created)
        last_second, stamp = self._last
        if second != last_second:  # most records share their second with the last one
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._last = (second, stamp)
        fields = vars(record)
        entry: dict[str, Any] = {
            "time": f"{stamp}.{int((created - second) * 1000):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": fields.get("request_id"),
        }
        for key, value in fields.items():
            if key not in _RECORD_ATTRIBUTES and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return _encode_json(entry)


class ReadableFormatter(logging.Formatter):
    """Lines for people: ``2026-12-04 17:00:00,123 INFO dyne.access [<request id>] <message>``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        """The record's line, with ``-`` for a missing request ID (the record is not changed,
        so other handlers see it as it was)."""
        values = dict(vars(record))
        values["request_id"] = values.get("request_id") or "-"
        message = values.get("message", "")
        if isinstance(message, str) and ("\n" in message or "\r" in message):
            # One record, one line: a value from a client must not forge a log line.
            values["message"] = message.replace("\r", "\\r").replace("\n", "\\n")
        return self._fmt % values if self._fmt else record.getMessage()
