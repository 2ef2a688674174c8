"""RFC 9457 problem details: errors a client can parse.

With ``App(problem_details=True)`` every error Dyne answers itself (404, 405, 413, 415, the
parsers' 400s, validation failures, ``abort()``, the auth backends' 401/403 and unhandled
500s) is an ``application/problem+json`` body::

    {"type": "about:blank", "title": "Not Found", "status": 404,
     "detail": "Not Found", "instance": "/nope", "request_id": "..."}

A view can raise :class:`Problem` itself, in any app; an error handler can reshape any
error with ``Problem.from_exception(exc)`` and :meth:`Problem.render`. A client that does
not accept JSON gets the same facts as plain text.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from starlette.exceptions import HTTPException as StarletteHTTPException

from dyne import formats
from dyne.exceptions import HTTPException
from dyne.types import Receive, Scope

if TYPE_CHECKING:
    from dyne.request import Request
    from dyne.response import Response

__all__ = ["PROBLEM_JSON", "Problem", "problem_details_enabled", "problem_messages"]

#: The media type of a problem details body.
PROBLEM_JSON = "application/problem+json"

#: The members RFC 9457 defines; extension members may not take these names.
_STANDARD = frozenset({"type", "title", "status", "detail", "instance"})

_SERVER_ERROR_DETAIL = "The server could not handle this request; the error has been logged."


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class Problem(HTTPException):
    """An HTTP error answered as RFC 9457 problem details, raised like any HTTP error.

    :param status: the HTTP status code.
    :param detail: a human-readable explanation of this occurrence.
    :param title: a short summary of the problem type (default: the status phrase).
    :param type: a URI naming the problem type (``about:blank`` by default).
    :param instance: a URI for this occurrence (default: the request's path).
    :param headers: extra response headers (``Retry-After``, ...).
    :param members: extension members, sent as they are (values must be JSON-encodable).
    """

    def __init__(
        self,
        status: int = 500,
        detail: str | None = None,
        *,
        title: str | None = None,
        type: str = "about:blank",
        instance: str | None = None,
        headers: dict[str, str] | None = None,
        **members: Any,
    ) -> None:
        super().__init__(status, detail, headers)
        self.title = title if title is not None else _phrase(status)
        self.type = type
        self.instance = instance
        #: extension members (``errors``, ``balance``, ...), sent beside the standard ones
        self.members: dict[str, Any] = members

    @classmethod
    def from_exception(cls, exc: BaseException) -> Problem:
        """The problem Dyne answers for ``exc``: itself for a :class:`Problem`; status,
        detail, headers and a dict ``media``'s members for an HTTP error; a bare 500
        (no message, no traceback) for anything else."""
        if isinstance(exc, Problem):
            return exc
        if isinstance(exc, HTTPException):
            media = exc.media if isinstance(exc.media, dict) else {}
            members = {str(k): v for k, v in media.items() if str(k) not in _STANDARD}
            return cls(exc.status_code, exc.detail, headers=exc.headers, **members)
        if isinstance(exc, StarletteHTTPException):
            headers = dict(exc.headers) if exc.headers else None
            return cls(exc.status_code, str(exc.detail), headers=headers)
        return cls(500, _SERVER_ERROR_DETAIL)

    def to_dict(self, req: Request | None = None) -> dict[str, Any]:
        """The problem as a JSON object; ``req`` fills in ``instance`` (its path, never
        the query string) and the ``request_id`` member when request IDs are on."""
        body: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status_code,
            "detail": self.detail,
        }
        instance = self.instance
        if instance is None and req is not None:
            instance = quote(req.scope.get("path", "/"))
        if instance is not None:
            body["instance"] = instance
        for key, value in self.members.items():
            if key not in _STANDARD:
                body[key] = value
        request_id = req.scope.get("dyne.request_id") if req is not None else None
        if request_id is not None:
            body.setdefault("request_id", request_id)
        return body

    def render(self, resp: Response) -> None:
        """Write this problem into ``resp``: status, headers, and the body as
        ``application/problem+json``, or as plain text for a client that does not accept
        JSON."""
        req = resp.req
        resp.status_code = self.status_code
        for name, value in (self.headers or {}).items():
            resp.headers[name] = value
        body = self.to_dict(req)
        if req is None or req.accepts(PROBLEM_JSON) or req.accepts("application/json"):
            resp.content = formats.encode_json(body)
            resp.mimetype = PROBLEM_JSON
            return
        lines = [f"{self.status_code} {self.title}"]
        if self.detail and self.detail != self.title:
            lines.append(str(self.detail))
        for key, value in body.items():
            if key not in _STANDARD:
                text = value if isinstance(value, str) else formats.encode_json(value).decode()
                lines.append(f"{key}: {text}")
        resp.text = "\n".join(lines) + "\n"
        resp.mimetype = None


def problem_details_enabled(app: Any) -> bool:
    """Whether ``app`` answers its errors as problem details (``App(problem_details=True)``);
    extensions that write their own 401/403 ask this."""
    return bool(getattr(app, "problem_details", False))


def problem_messages(scope: Scope, problem: Problem) -> Any:
    """The ASGI messages answering ``problem`` for the request in ``scope``, for the layers
    that answer before Dyne's dispatch (trusted hosts, the HTTPS redirect, static files)."""
    from dyne.request import Request
    from dyne.response import Response

    # The answer never reads the body: the request gets no receive channel.
    resp = Response(Request(scope, cast("Receive", None), scope["app"]))
    problem.render(resp)
    return resp.prepare()
