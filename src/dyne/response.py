"""The outgoing HTTP response, as a view fills it in."""

from __future__ import annotations

import datetime
import gzip
import os
import stat
from collections.abc import AsyncIterable, Iterable, Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from starlette.responses import FileResponse, StreamingResponse

from dyne import formats
from dyne.headers import (
    COOKIE_DEFAULTS,
    ResponseHeaders,
    accepts,
    checked_header,
    cookie_header,
)

if TYPE_CHECKING:
    from dyne.request import Request
    from dyne.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "BufferedResponse",
    "Response",
    "ResponseHeaders",
]

_NO_BODY_STATUS = frozenset({204, 304})
# Already-compressed formats: gzipping them again costs CPU and saves nothing.
_INCOMPRESSIBLE = frozenset(
    {
        b"application/gzip",
        b"application/x-gzip",
        b"application/zip",
        b"application/zstd",
        b"application/x-7z-compressed",
        b"application/x-bzip2",
        b"application/x-xz",
        b"application/pdf",
        b"font/woff",
        b"font/woff2",
        b"text/event-stream",
    }
)


def _accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (``gzip;q=0`` refuses it)."""
    return accept_encoding is not None and accepts(accept_encoding, "gzip")


_ENCODED_TYPES: dict[str, bytes] = {
    name: name.encode("latin-1")
    for name in (
        "application/json",
        "text/plain; charset=utf-8",
        "text/html; charset=utf-8",
        "application/octet-stream",
    )
}
"""The Content-Type values Dyne itself sets, encoded once."""


def _raw_accept(scope: Mapping[str, Any]) -> str | None:
    """The Accept header, read straight from the ASGI scope (no Headers object built)."""
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            accept: str = value.decode("latin-1")
            return accept
    return None


class BufferedResponse(tuple["Message", "Message"]):
    """A response rendered in memory: its two ASGI messages, ``(start, body)``, and an
    ASGI app that sends them (what :meth:`Response.prepare` returns unless the body is a
    file or a stream). A server loop may send the two messages itself, skipping a call."""

    __slots__ = ()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(self[0])
        await send(self[1])


class Response:
    """An HTTP response: set ``text``, ``html``, ``media`` or ``content``, plus the status,
    headers and cookies; Dyne encodes it once the view returns.

    The last body attribute assigned wins. ``media`` is sent as JSON, or as YAML when the
    client's ``Accept`` asks for it.

    ``complete``: set True to end the request: a class view's method handler does not run
    after on_request (a guard refusing the request sets it); a ``before_request`` hook that
    sets it skips the later hooks and the view. A status of 300 or more left by
    ``on_request`` or a hook ends the request the same way.
    """

    __slots__ = (
        "_body",
        "_cookie_directives",
        "_kind",
        "_streamer",
        "complete",
        "cookies",
        "headers",
        "mimetype",
        "obj",
        "req",
        "status_code",
    )

    def __init__(self, req: Request | None = None) -> None:
        self.req = req
        self.status_code: int = 200
        #: Set True to end the request: a class view's method handler does not run after
        #: on_request. A ``before_request`` hook that sets it skips the later hooks and the
        #: view; either way the response is sent as it stands.
        self.complete: bool = False
        # An empty ResponseHeaders without running its __init__ (nothing to check in it).
        self.headers: ResponseHeaders = dict.__new__(ResponseHeaders)
        self.cookies: dict[str, str] = {}
        self.mimetype: str | None = None
        self.obj: Any = None
        self._kind: str | None = None
        self._body: Any = None
        self._streamer: Any = None
        self._cookie_directives: dict[str, dict[str, Any]] | None = None

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}]>"

    # -- body ----------------------------------------------------------------------------

    def _get(self, kind: str) -> Any:
        return self._body if self._kind == kind else None

    def _set(self, kind: str | None, value: Any) -> None:
        self._kind = kind
        self._body = value
        self._streamer = None

    @property
    def text(self) -> str | None:
        """A plain-text body (``text/plain; charset=utf-8``)."""
        text: str | None = self._get("text")
        return text

    @text.setter
    def text(self, value: str) -> None:
        self._set("text", value)

    @property
    def html(self) -> str | None:
        """An HTML body (``text/html; charset=utf-8``)."""
        html: str | None = self._get("html")
        return html

    @html.setter
    def html(self, value: str) -> None:
        self._set("html", value)

    @property
    def media(self) -> Any:
        """A body of plain data sent as JSON (or YAML when the client asks for it)."""
        return self._get("media")

    @media.setter
    def media(self, value: Any) -> None:
        self._set("media", value)

    @property
    def content(self) -> bytes | str | None:
        """A raw body: bytes (``application/octet-stream`` unless ``mimetype`` says) or str."""
        content: bytes | str | None = self._get("content")
        return content

    @content.setter
    def content(self, value: bytes | str) -> None:
        self._set("content", value)

    @property
    def session(self) -> dict[str, Any]:
        """The cookie session (the same dict as ``req.session``); changing it makes Dyne
        send a signed ``dyne-Session`` cookie with the response."""
        if self.req is None:
            raise RuntimeError("This response has no request, so it has no session.")
        return self.req.session

    # -- helpers -------------------------------------------------------------------------

    def set_cookie(
        self,
        key: str,
        value: str = "",
        expires: datetime.datetime | str | int | None = None,
        max_age: int | None = None,
        domain: str | None = None,
        path: str | None = "/",
        secure: bool = False,
        httponly: bool = True,
        samesite: Literal["lax", "strict", "none"] | None = "lax",
    ) -> None:
        """Set the cookie ``key`` with its directives (HttpOnly and SameSite=Lax by default)."""
        directives = {
            "expires": expires,
            "max_age": max_age,
            "domain": domain,
            "path": path,
            "secure": secure,
            "httponly": httponly,
            "samesite": samesite,
        }
        cookie_header(key, value, directives)  # fail now, where the mistake is
        self.cookies[key] = value
        if self._cookie_directives is None:
            self._cookie_directives = {}
        self._cookie_directives[key] = directives

    def delete_cookie(self, key: str, path: str = "/", domain: str | None = None) -> None:
        """Tell the client to forget the cookie ``key``."""
        self.set_cookie(
            key, "", expires="Thu, 01 Jan 1970 00:00:00 GMT", max_age=0, path=path, domain=domain
        )

    def redirect(self, location: str, status_code: int = 301) -> Response:
        """Redirect the client to ``location`` (percent-encoded; CR/LF can never pass)."""
        self.status_code = status_code
        self.headers["location"] = quote(str(location), safe=":/%#?=@[]!$&'()*+,;~")
        self._set("text", "")
        return self

    def stream(self, source: Any, *args: Any, **kwargs: Any) -> Any:
        """Send the body chunk by chunk from an (async) iterable or generator function.

        Usable as ``resp.stream(gen)`` or as a decorator on an (async) generator function;
        extra arguments are passed to it.
        """
        iterable = source(*args, **kwargs) if callable(source) else source
        if not isinstance(iterable, AsyncIterable | Iterable) or isinstance(iterable, str | bytes):
            raise TypeError("resp.stream() needs an iterable or a generator function.")
        self._kind = "stream"
        self._body = iterable
        return source

    def file(
        self,
        path: str | os.PathLike[str],
        *,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> None:
        """Send the file at ``path``, streamed, with its ETag and Last-Modified; Range
        requests are answered with the parts asked for."""
        if content_type is not None:
            checked_header("content-type", content_type)  # fail here, where the mistake is
        self._kind = "file"
        self._body = (os.fspath(path), filename, content_type)

    # -- encoding --------------------------------------------------------------------------

    def _encode_body(self) -> tuple[bytes, str | None]:
        kind = self._kind
        body = self._body
        if kind == "media":
            req = self.req
            if req is not None:
                accept = _raw_accept(req.scope)
                added = req.app.body_formats
                if accept and added:
                    chosen = formats.preferred_format(accept, added)
                    if chosen is not None and chosen.encode is not None:
                        return chosen.encode(body), chosen.mimetypes[0]
                if (
                    accept
                    and "yaml" in accept
                    and (req.accepts("application/x-yaml") or req.accepts("application/yaml"))
                ):
                    return formats.encode_yaml(body), "application/x-yaml"
            return formats.encode_json(body), "application/json"
        if kind == "text":
            return body.encode("utf-8"), "text/plain; charset=utf-8"
        if kind == "html":
            return body.encode("utf-8"), "text/html; charset=utf-8"
        if kind == "content":
            if isinstance(body, str):
                return body.encode("utf-8"), "text/plain; charset=utf-8"
            return bytes(body), "application/octet-stream"
        return b"", None

    def _header_list(self, content_type: str | None) -> list[tuple[bytes, bytes]]:
        req = self.req
        if req is not None:
            callbacks = req._header_callbacks
            if callbacks:  # req.on_headers (the session's save): none on most requests
                for callback in callbacks:
                    callback(req, self)
        headers = self.headers
        if type(headers) is not ResponseHeaders:  # replaced by the user: check it now
            headers = self.headers = ResponseHeaders(headers)
        if self.mimetype is not None:
            content_type = checked_header("content-type", self.mimetype)[1]
        # Most responses carry no headers of their own: skip building the comprehension.
        raw = (
            [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
            if headers
            else []
        )
        # Keys are stored lower-cased: the plain dict lookup is enough (and cheaper).
        if content_type is not None and not dict.__contains__(headers, "content-type"):
            encoded = _ENCODED_TYPES.get(content_type)
            if encoded is None:
                encoded = content_type.encode("latin-1")
            raw.append((b"content-type", encoded))
        if self.cookies:
            directives = self._cookie_directives or {}
            for key, value in self.cookies.items():
                raw.append(
                    (
                        b"set-cookie",
                        cookie_header(key, value, directives.get(key, COOKIE_DEFAULTS)),
                    )
                )
        return raw

    def prepare(self) -> ASGIApp:
        """Encode the response into the ASGI app that sends it: a :class:`BufferedResponse`
        (its two messages) for an ordinary body, Starlette's file or streaming response
        for ``resp.file`` and ``resp.stream``.

        Done before anything is sent, so an encoding error can still become a clean 500.
        """
        kind = self._kind
        if kind == "stream" or kind == "file":
            return self._prepare_streamed()
        body, content_type = self._encode_body()
        headers = self._header_list(content_type)
        req = self.req
        status = self.status_code
        if status in _NO_BODY_STATUS or status < 200:
            body = b""
        elif not dict.__contains__(self.headers, "content-length"):
            # The size test comes first: small bodies, the common case, pay one comparison.
            if req is not None and len(body) >= req.app.gzip_min_size and req.app.gzip:
                body = self._gzip(req, body, headers)
            headers.append((b"content-length", str(len(body)).encode()))  # digits: ASCII
        if req is not None and req.scope.get("method") == "HEAD":
            body = b""
        # mypy does not see __call__ on a tuple subclass; it is there (an ASGI app).
        return BufferedResponse(  # type: ignore[return-value]
            (
                {"type": "http.response.start", "status": status, "headers": headers},
                {"type": "http.response.body", "body": body},
            )
        )

    def _gzip(self, req: Request, body: bytes, headers: list[tuple[bytes, bytes]]) -> bytes:
        if "content-encoding" in self.headers:
            return body  # already encoded by the view
        content_type = next((value for name, value in headers if name == b"content-type"), b"")
        if content_type.split(b";", 1)[0].strip().lower() in _INCOMPRESSIBLE or (
            content_type.startswith((b"image/", b"audio/", b"video/"))
            and not content_type.startswith(b"image/svg")
        ):
            return body
        vary = self.headers.get("vary")
        if vary is None:
            headers.append((b"vary", b"Accept-Encoding"))
        elif "accept-encoding" not in vary.lower():
            headers[:] = [(name, value) for name, value in headers if name != b"vary"]
            headers.append((b"vary", f"{vary}, Accept-Encoding".encode("latin-1")))
        if not _accepts_gzip(req.headers.get("accept-encoding")):
            return body
        headers.append((b"content-encoding", b"gzip"))
        return gzip.compress(body, compresslevel=6, mtime=0)

    def _not_modified_messages(
        self, response: Any, headers: list[tuple[bytes, bytes]]
    ) -> BufferedResponse:
        keep = [
            (name, value)
            for name, value in response.raw_headers
            if name in (b"etag", b"last-modified")
        ]
        keep += [(n, v) for n, v in headers if n not in (b"content-type", b"content-length")]
        return BufferedResponse(
            (
                {"type": "http.response.start", "status": 304, "headers": keep},
                {"type": "http.response.body", "body": b""},
            )
        )

    def _prepare_streamed(self) -> ASGIApp:
        headers = self._header_list(None)
        content_type = self.mimetype
        if self._kind == "file":
            path, filename, file_type = self._body
            try:
                stat_result = os.stat(path)
            except OSError as exc:
                raise FileNotFoundError(f"resp.file({path!r}): {exc.strerror}.") from None
            if not stat.S_ISREG(stat_result.st_mode):
                raise IsADirectoryError(f"resp.file({path!r}): not a regular file.")
            response: Any = FileResponse(
                path,
                status_code=self.status_code,
                media_type=file_type or content_type,
                filename=filename,
                stat_result=stat_result,
            )
            req = self.req
            if (
                self.status_code == 200
                and req is not None
                and req.method in ("GET", "HEAD")
                and _not_modified(req.headers, response.headers["etag"], stat_result.st_mtime)
            ):
                return self._not_modified_messages(response, headers)  # type: ignore[return-value]
        else:
            response = StreamingResponse(
                self._body,
                status_code=self.status_code,
                media_type=content_type or "application/octet-stream",
            )
        known = {name for name, _ in headers}
        # In place: Starlette's lazily built header view shares this list, and FileResponse
        # adds content-length, etag and last-modified through it when it is sent.
        response.raw_headers[:] = [
            (name, value) for name, value in response.raw_headers if name not in known
        ] + headers
        streamed: ASGIApp = response
        return streamed


def _not_modified(request_headers: Any, etag: str, mtime: float) -> bool:
    """Whether a GET can be answered 304 (RFC 9110 13.1): If-None-Match decides when sent,
    else If-Modified-Since."""
    if_none_match = request_headers.get("if-none-match")
    if if_none_match is not None:
        if if_none_match.strip() == "*":
            return True
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag.removeprefix("W/") in tags
    if_modified_since = request_headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    return int(mtime) <= since.timestamp()


def resolve_return(resp: Response, value: Any) -> None:
    """Apply a view's return value: dict/list → media, str → text, bytes → content."""
    if value is None or value is resp:
        return
    if isinstance(value, str):
        resp.text = value
    elif isinstance(value, bytes | bytearray | memoryview):
        resp.content = bytes(value)
    elif isinstance(value, dict | list | tuple):
        resp.media = value
    else:
        raise TypeError(
            f"A view returned {type(value).__name__}; return a dict, list, str, bytes or None, "
            "or set resp.media / resp.text / resp.content."
        )
