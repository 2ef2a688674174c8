"""The incoming HTTP request, as a view sees it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL, Address, FormData, Headers, State, UploadFile
from starlette.datastructures import QueryParams as _QueryParams
from starlette.requests import ClientDisconnect

from dyne import formats
from dyne.exceptions import HTTPException
from dyne.headers import accepts, parse_cookie_header

if TYPE_CHECKING:
    from dyne.app import App
    from dyne.types import Message, Receive, Scope

__all__ = [
    "MAX_COOKIE_HEADER_SIZE",
    "ClientDisconnect",
    "QueryParams",
    "Request",
]

#: The largest ``Cookie`` request header read (browsers send at most about 4 KiB a cookie).
MAX_COOKIE_HEADER_SIZE = 64 * 1024

Finalizer = Callable[["Request", Any, BaseException | None], Awaitable[None]]

#: The parsed form of the commonest Content-Type, ``application/json`` exactly as written:
#: no parameters to read, nothing to lower-case.
_JSON_CONTENT_TYPE: tuple[str, Mapping[str, str]] = ("application/json", MappingProxyType({}))
#: ``callback(req, resp)``, run just before the response's headers are encoded
HeaderCallback = Callable[["Request", Any], None]


def _declared_length(value: str) -> int | None:
    """The Content-Length as a number, or None when it is not plain ASCII digits; a value of
    thousands of digits is never converted (Python refuses past 4,300), only compared."""
    if not (value.isascii() and value.isdigit()):
        return None
    digits = value.lstrip("0")
    if len(digits) > 18:  # past any body limit, and past what int() should be asked to read
        return 10**18
    return int(digits or "0")


class QueryParams(_QueryParams):
    """Query parameters: ``params["a"]`` is the last value of ``a``; ``get_list`` gives all."""

    def get_list(self, key: str) -> list[str]:
        """Every value of ``key``, in order (an empty list when absent)."""
        return self.getlist(key)


class Request:
    """An HTTP request: method, URL, headers, query parameters, cookies, body and state.

    Everything is computed on first use and cached, so a view pays only for what it reads.
    """

    __slots__ = (
        "_body",
        "_consumed",
        "_content_type",
        "_cookies",
        "_encoding",
        "_finalizers",
        "_form",
        "_header_callbacks",
        "_headers",
        "_length",
        "_params",
        "_receive",
        "_session",
        "_state",
        "app",
        "path_params",
        "scope",
    )

    def __init__(self, scope: Scope, receive: Receive, app: App) -> None:
        self.scope = scope
        self._receive = receive
        self.app = app
        self.path_params: dict[str, Any] = {}
        self._headers: Headers | None = None
        self._params: QueryParams | None = None
        self._cookies: dict[str, str] | None = None
        self._state: State | None = None
        self._session: Any = None
        self._body: bytes | None = None
        self._form: FormData | None = None
        self._content_type: tuple[str, Mapping[str, str]] | None = None
        self._length: str | None = None
        self._encoding: str | None = None
        self._consumed = False
        self._finalizers: list[Finalizer] | None = None
        self._header_callbacks: list[HeaderCallback] | None = None

    def __getattr__(self, name: str) -> Any:
        # Extensions publish request attributes (``req.db``) through the app, so the core
        # needs no word of them.
        factory = self.app.request_properties.get(name)
        if factory is None:
            raise AttributeError(f"Request has no attribute {name!r}")
        return factory(self)

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.full_url}>"

    # -- request line and headers ------------------------------------------------------

    @property
    def method(self) -> str:
        """The HTTP method, upper case (``"GET"``)."""
        method: str = self.scope["method"]
        return method

    @property
    def id(self) -> str | None:
        """The request ID (``App(request_id=True)``): the client's ``X-Request-ID`` when safe,
        else a new random one; None when request IDs are off."""
        return self.scope.get("dyne.request_id")

    @property
    def url(self) -> URL:
        """The full URL as a parsed object (``.path``, ``.query``, ``.hostname``, ...)."""
        return URL(scope=self.scope)

    @property
    def full_url(self) -> str:
        """The full URL as a string."""
        return str(self.url)

    @property
    def path(self) -> str:
        """The (percent-decoded) path of the URL."""
        path: str = self.scope["path"]
        return path

    @property
    def headers(self) -> Headers:
        """The request headers, case-insensitive."""
        if self._headers is None:
            self._headers = Headers(scope=self.scope)
        return self._headers

    @property
    def params(self) -> QueryParams:
        """The query parameters: ``params["a"]`` is the last value, ``get_list("a")`` all."""
        if self._params is None:
            self._params = QueryParams(self.scope.get("query_string", b""))
        return self._params

    @property
    def cookies(self) -> dict[str, str]:
        """The cookies the client sent (several ``Cookie`` headers are read as one).

        Parsed in linear time; a ``Cookie`` header above :data:`MAX_COOKIE_HEADER_SIZE`
        bytes is answered 431.
        """
        if self._cookies is None:
            values = [v for k, v in self.scope.get("headers", ()) if k == b"cookie"]
            header = b"; ".join(values)
            if len(header) > MAX_COOKIE_HEADER_SIZE:
                raise HTTPException(
                    431,
                    f"The Cookie header is larger than {MAX_COOKIE_HEADER_SIZE} bytes; "
                    "clear this site's cookies.",
                )
            self._cookies = parse_cookie_header(header.decode("latin-1")) if header else {}
        return self._cookies

    @property
    def state(self) -> State:
        """Per-request storage for views, hooks and extensions (``req.state.user``)."""
        if self._state is None:
            self._state = State(self.scope.setdefault("state", {}))
        return self._state

    @property
    def session(self) -> dict[str, Any]:
        """The cookie session: what earlier responses stored in ``resp.session``.

        Read from the signed ``dyne-Session`` cookie on first use; a missing, expired or
        tampered cookie gives an empty session. ``resp.session`` is this same dict.
        """
        if self._session is None:
            from dyne.sessions import load_session

            self._session = load_session(self)
        session: dict[str, Any] = self._session
        return session

    @property
    def client(self) -> Address | None:
        """The client's ``(host, port)``, when the server knows it."""
        client = self.scope.get("client")
        return Address(*client) if client else None

    @property
    def is_secure(self) -> bool:
        """Whether the request came over HTTPS."""
        return self.scope.get("scheme") in ("https", "wss")

    def _scan_body_headers(self) -> tuple[str, Mapping[str, str]]:
        """Read Content-Type (parsed) and Content-Length, the first of each, in one pass
        over the ASGI scope's headers (names are lower case there)."""
        content_type = length = None
        for key, value in self.scope.get("headers", ()):
            if key == b"content-type":
                if content_type is None:
                    content_type = value
            elif key == b"content-length" and length is None:
                length = value
        if length is not None:
            self._length = length.decode("latin-1")
        if content_type == b"application/json":
            parsed = _JSON_CONTENT_TYPE
        else:
            raw = content_type.decode("latin-1") if content_type is not None else ""
            mimetype, _, rest = raw.partition(";")
            options: dict[str, str] = {}
            if rest:
                for part in rest.split(";"):
                    key, _, value = part.strip().partition("=")
                    if key:
                        options[key.lower()] = value.strip().strip('"')
            parsed = (mimetype.strip().lower(), options)
        self._content_type = parsed
        return parsed

    @property
    def mimetype(self) -> str:
        """The Content-Type without its parameters (``"application/json"``), or ``""``."""
        return (self._content_type or self._scan_body_headers())[0]

    @property
    def encoding(self) -> str:
        """The text encoding of the body: the Content-Type charset, else UTF-8. Settable."""
        if self._encoding is None:
            options = (self._content_type or self._scan_body_headers())[1]
            self._encoding = options.get("charset") or "utf-8"
        return self._encoding

    @encoding.setter
    def encoding(self, value: str) -> None:
        self._encoding = value

    def accepts(self, mimetype: str) -> bool:
        """Whether the client's ``Accept`` header allows ``mimetype`` (wildcards honoured)."""
        accept = self.headers.get("accept")
        return not accept or accepts(accept, mimetype)

    # -- body --------------------------------------------------------------------------

    async def _read_body(self) -> bytes:
        body = self._body
        if body is not None:
            return body
        limit = self._start_reading()
        # Most bodies arrive in one message: take it without an async generator.
        message = await self._receive()
        if message["type"] == "http.request" and not message.get("more_body", False):
            received: bytes = message.get("body", b"")
            if len(received) > limit:
                raise HTTPException(413, f"The request body is larger than {limit} bytes.")
            self._body = received
            return received
        self._body = body = b"".join([chunk async for chunk in self._chunks(limit, message)])
        return body

    @property
    def content(self) -> Awaitable[bytes]:
        """The raw body, awaited: ``await req.content``."""
        return self._read_body()

    @property
    def text(self) -> Awaitable[str]:
        """The body decoded with :attr:`encoding`, awaited: ``await req.text``."""
        return self._read_text()

    async def _read_text(self) -> str:
        body = await self._read_body()
        encoding = self.encoding
        codec = formats.text_codec(encoding)
        if codec is None:
            raise HTTPException(
                400, f"The charset {encoding[:40]!r} is not supported; send the body in UTF-8."
            )
        try:
            return body.decode(codec)
        except UnicodeError:
            raise HTTPException(400, f"The request body is not valid {encoding}.") from None

    async def stream(self) -> AsyncIterator[bytes]:
        """Yield the body chunk by chunk without keeping it (for large uploads).

        The app's ``max_body_size`` applies: past it, reading raises a 413.
        """
        if self._body is not None:
            yield self._body
            return
        limit = self._start_reading()
        async for chunk in self._chunks(limit, await self._receive()):
            yield chunk

    def _start_reading(self) -> int:
        """Claim the body (it can be received only once) and check its declared length."""
        if self._consumed:
            raise RuntimeError("The request body was already streamed and cannot be read again.")
        self._consumed = True
        limit: int = self.app.limits.max_body_size
        if self._content_type is None:
            self._scan_body_headers()
        declared = _declared_length(self._length) if self._length is not None else None
        if declared is not None and declared > limit:
            raise HTTPException(413, f"The request body is larger than {limit} bytes.")
        return limit

    async def _chunks(self, limit: int, message: Message) -> AsyncIterator[bytes]:
        """The body's chunks, starting from an already received ``message``."""
        size = 0
        while True:
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                if chunk:
                    size += len(chunk)
                    if size > limit:
                        raise HTTPException(413, f"The request body is larger than {limit} bytes.")
                    yield chunk
                if not message.get("more_body", False):
                    return
            elif message["type"] == "http.disconnect":
                raise ClientDisconnect()
            message = await self._receive()

    async def form(self) -> FormData:
        """The parsed form (urlencoded or multipart); uploaded files are ``UploadFile``\\ s.

        Files are spooled to disk by Starlette's streaming parser, never held whole in
        memory. Limits from ``App(...)`` apply: too many parts or too large a part is a
        413; a malformed or truncated body is a 400.
        """
        if self._form is None:
            from dyne.multipart import parse_form

            self._form = await parse_form(self)
        return self._form

    async def media(self, format: str | None = None) -> Any:
        """Decode the body: by Content-Type, or by ``format`` (json, yaml, form, files).

        Without ``format``, the Content-Type decides: JSON (``application/json`` and
        ``*+json``), YAML, or a form; any other type is a 415. A body sent with no
        Content-Type at all is a 415 too, never guessed to be JSON (a cross-site form or
        ``fetch`` can send one without a CORS preflight); pass ``format="json"`` to decode
        such a body on purpose. ``format="files"`` returns
        ``{field: {"filename", "content", "content-type"}}`` for uploaded files (the
        filename reduced to its last path component, without control characters) and
        plain values for the other fields.
        """
        kind = format or await self._format_from_content_type()
        if kind == "json":
            return formats.decode_json(await self._read_body())
        if kind == "yaml":
            # PyYAML is slow pure Python: parsed in a worker thread, the event loop keeps
            # serving other requests meanwhile.
            return await run_in_threadpool(formats.decode_yaml, await self._read_body())
        if kind in ("form", "files"):
            return await _form_as_dict(await self.form())
        added = self.app.body_formats.get(kind)
        if added is not None:
            return added.read(await self._read_body())
        names = ", ".join(["json", "yaml", "form", "files", *self.app.body_formats])
        raise HTTPException(400, f"Unknown media format {kind!r}; use one of: {names}.")

    async def _format_from_content_type(self) -> str:
        mimetype = self.mimetype
        if formats.is_json(mimetype):
            return "json"
        if mimetype in formats.YAML_TYPES:
            return "yaml"
        if mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return "form"
        for added in self.app.body_formats.values():
            if mimetype in added.mimetypes:
                return added.name
        if not mimetype:
            if not await self._read_body():
                return "json"  # nothing to decode: the empty-body 400 says so
            raise HTTPException(
                415,
                "The request body has no Content-Type; send Content-Type: application/json "
                "(or another supported type).",
            )
        raise HTTPException(
            415,
            f"Unsupported media type {mimetype!r}; send application/json, application/x-yaml, "
            "application/x-www-form-urlencoded or multipart/form-data.",
        )

    # -- end of request ----------------------------------------------------------------

    def add_finalizer(self, callback: Finalizer) -> None:
        """Run ``await callback(req, resp, exc)`` when the view has finished.

        Finalizers run in reverse order of registration once the view has returned and its
        response has been rendered, or has raised, or rendering failed (``exc`` is the
        exception, else None); before error handlers and before anything is sent, so an
        extension can commit or roll back work that belongs to this request.
        """
        if self._finalizers is None:
            self._finalizers = []
        self._finalizers.append(callback)

    def on_headers(self, callback: HeaderCallback) -> None:
        """Run ``callback(req, resp)`` just before the response's headers are encoded, to
        add a header or cookie that depends on what the view did (the session's
        ``Set-Cookie`` is written this way). Callbacks run in order of registration, on
        every path: the view's answer, an error handler's, a redirect, a file, a stream.
        When rendering fails and an error response is rendered instead they run again, so
        a callback must do its work once (a session clears its ``modified`` flag first).
        """
        if self._header_callbacks is None:
            self._header_callbacks = []
        self._header_callbacks.append(callback)

    async def close(self) -> None:
        """Release what the request holds (spooled upload files)."""
        if self._form is not None:
            await self._form.close()


def _client_filename(name: str | None) -> str | None:
    """The last path component of a client's filename, without control characters.

    ``format="files"`` hands the name to a view that may save under it (the tour writes
    ``open(f"./{file['filename']}", "wb")``): ``../../etc/passwd`` must not climb out of
    the directory, nor a NUL or CR/LF reach a path or a log line. ``.`` and ``..`` name no
    file and become ``""``. (A ``FileField`` checks or sanitizes names more strictly.)
    """
    if not name:
        return name
    last = name.replace("\\", "/").rpartition("/")[2]
    last = "".join(char for char in last if char >= " " and char != "\x7f")
    return "" if last in (".", "..") else last


async def _form_as_dict(form: FormData) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            await value.seek(0)
            result[name] = {
                "filename": _client_filename(value.filename),
                "content": await value.read(),
                "content-type": value.content_type,
            }
        else:
            result[name] = value
    return result
