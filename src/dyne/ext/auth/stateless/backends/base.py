"""What every stateless backend shares: callback registration, challenges and errors."""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

from dyne.extension import as_async
from dyne.problems import Problem, problem_details_enabled
from dyne.request import Request
from dyne.response import Response

__all__ = [
    "ANONYMOUS",
    "MAX_CREDENTIALS_LENGTH",
    "AuthBackend",
    "AuthFailed",
    "as_utf8",
    "callback",
    "check_realm",
    "quoted",
    "single_header",
    "split_authorization",
]

#: Longest ``Authorization`` value parsed; anything longer is refused without parsing.
MAX_CREDENTIALS_LENGTH = 8192


class _Anonymous:
    """The request carries no credentials this backend understands."""

    def __repr__(self) -> str:
        return "ANONYMOUS"


ANONYMOUS: Any = _Anonymous()


class AuthFailed(Exception):
    """Credentials were sent but are wrong or malformed (401 unless ``status_code`` says)."""

    def __init__(self, status_code: int = 401, *, stale: bool = False) -> None:
        super().__init__(status_code)
        self.status_code = status_code
        self.stale = stale


#: Turn a sync or async user callback into a coroutine function, decided once.
callback = as_async


class AuthBackend(abc.ABC):
    """Base of BasicAuth, TokenAuth, DigestAuth and MultiAuth.

    Subclasses parse their credentials in :meth:`authenticate` and describe themselves
    for OpenAPI with :attr:`security_scheme_name` and :attr:`security_scheme`.
    """

    #: The name OpenAPI lists this scheme under (``components.securitySchemes``).
    security_scheme_name: str = "auth"
    #: The OpenAPI Security Scheme Object describing this backend.
    security_scheme: dict[str, Any] = {}

    def __init__(self) -> None:
        self._get_user_roles: Callable[..., Any] | None = None
        self._error_handler: Callable[..., Any] | None = None

    # -- callbacks, registered by decorator -------------------------------------------

    def get_user_roles(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Register ``[async] def get_user_roles(user)`` returning a role, a list, or None."""
        self._get_user_roles = callback(func)
        return func

    def error_handler(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Register ``[async] def handler(req, resp, status_code)`` to shape 401/403 answers."""
        self._error_handler = callback(func)
        return func

    # -- the protocol @authenticate uses ---------------------------------------------

    def security_schemes(self) -> list[tuple[str, dict[str, Any]]]:
        """The ``(name, Security Scheme Object)`` pairs a request may satisfy."""
        return [(self.security_scheme_name, self.security_scheme)]

    @abc.abstractmethod
    def matches(self, req: Request) -> bool:
        """Whether the request carries credentials in this backend's scheme."""
        raise NotImplementedError

    @abc.abstractmethod
    async def authenticate(self, req: Request) -> Any:
        """Return the user, or :data:`ANONYMOUS`; raise :class:`AuthFailed` when wrong.

        A falsy return (None, False) is taken as a refusal, a 401, never as a user.
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def challenge(self, req: Request, *, stale: bool = False) -> str:
        """The ``WWW-Authenticate`` value sent with a 401."""
        raise NotImplementedError

    async def roles_of(self, req: Request, user: Any) -> Any:
        """The user's roles, from the registered ``get_user_roles`` callback."""
        if self._get_user_roles is None:
            # A server-side mistake (a 500), not the client's: say how to fix it.
            raise RuntimeError(
                f"@authenticate(role=...) needs the user's roles; register "
                f"@get_user_roles on the {type(self).__name__} backend."
            )
        return await self._get_user_roles(user)

    def handler_for(self, req: Request) -> Callable[..., Any] | None:
        """The error handler answering for this request (None: the default answer)."""
        return self._error_handler

    async def reject(
        self, req: Request, resp: Response, status_code: int, *, stale: bool = False
    ) -> None:
        """Answer ``status_code`` (401 with the challenge, or 403) through the error handler."""
        resp.status_code = status_code
        if status_code == 401:
            resp.headers["WWW-Authenticate"] = await self.challenge(req, stale=stale)
        handler = self.handler_for(req)
        if handler is None:
            if problem_details_enabled(req.app):
                Problem(status_code).render(resp)
                return
            resp.text = {401: "Unauthorized", 403: "Forbidden"}.get(status_code, "Bad Request")
            return
        await handler(req, resp, status_code)
        if resp.status_code != 401:
            # A handler that turned the answer into something else owes no challenge.
            resp.headers.pop("WWW-Authenticate", None)


def single_header(req: Request, name: str) -> str | None:
    """The value of the credentials header ``name``, or None when it is absent.

    Raises :class:`AuthFailed` when it is longer than :data:`MAX_CREDENTIALS_LENGTH` or
    sent more than once: credentials are one value (RFC 9110 §11.6.2), and with two a
    proxy checking one and the app reading the other would disagree on who is calling.
    """
    values = req.headers.getlist(name)
    if not values:
        return None
    if len(values) > 1 or len(values[0]) > MAX_CREDENTIALS_LENGTH:
        raise AuthFailed()
    return values[0]


def split_authorization(req: Request) -> tuple[str, str] | None:
    """``(scheme, credentials)`` from the Authorization header; None when it is absent.

    Raises :class:`AuthFailed` for a header that is too long, sent twice, or lacks a
    scheme or credentials.
    """
    value = single_header(req, "authorization")
    if value is None:
        return None
    scheme, _, credentials = value.strip().partition(" ")
    credentials = credentials.strip()
    if not scheme or not credentials:
        # "Basic" alone, or credentials with no scheme: malformed, never anonymous.
        raise AuthFailed()
    return scheme, credentials


def as_utf8(value: str) -> str:
    """Re-read a header string (decoded as latin-1 by the server) as UTF-8, or fail 401."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise AuthFailed() from None


def quoted(value: str) -> str:
    """Escape ``value`` for a quoted-string in a challenge."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


def check_realm(realm: str) -> str:
    """Return ``realm`` if it can go into a challenge header, else raise ``ValueError``."""
    if not isinstance(realm, str) or not realm.isascii() or not realm.isprintable():
        raise ValueError(f"Invalid realm {realm!r}; use printable ASCII characters.")
    return realm
