"""Cookie sessions: a dict kept in a signed ``dyne-Session`` cookie.

``req.session`` reads the cookie the first time it is used; ``resp.session`` is the same
dict. The cookie is written back only when the dict was changed, so requests that don't
touch the session cost nothing. The data is signed (itsdangerous), not encrypted: the
client can read it but not alter it.
"""

from __future__ import annotations

import hmac
import logging
from typing import TYPE_CHECKING, Any

from itsdangerous import BadData, URLSafeTimedSerializer

if TYPE_CHECKING:
    from dyne.app import App
    from dyne.request import Request
    from dyne.response import Response

__all__ = [
    "DEFAULT_SECRET_KEY",
    "SESSION_COOKIE",
    "Session",
    "SessionCodec",
    "codec_for",
    "load_session",
    "save_session",
]

logger = logging.getLogger("dyne.sessions")

#: The cookie that carries the session.
SESSION_COOKIE = "dyne-Session"

#: Used when neither ``App(secret_key=...)`` nor ``SECRET_KEY`` is set; fine for development
#: only, since anyone who reads this source can forge sessions signed with it.
DEFAULT_SECRET_KEY = "dyne-development-secret-key-do-not-use-in-production"

_SALT = "dyne.session"
#: Browsers drop cookies larger than about 4 KiB.
_MAX_COOKIE_SIZE = 4093


class Session(dict[str, Any]):
    """A dict that remembers whether it was changed since it was read from the cookie.

    Changes inside a nested value (``session["cart"].append(x)``) are not seen: set
    ``session.modified = True`` after them, or assign the key again.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: whether the cookie must be written with the response
        self.modified = False

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.modified = True

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self.modified = True

    def clear(self) -> None:
        """Remove every key (the cookie is then deleted)."""
        if self:
            self.modified = True
        super().clear()

    def pop(self, key: str, *default: Any) -> Any:
        """Remove ``key`` and return its value (or ``default``)."""
        if key in self:
            self.modified = True
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, Any]:
        """Remove and return the last inserted item."""
        item = super().popitem()
        self.modified = True
        return item

    def setdefault(self, key: str, default: Any = None) -> Any:
        """Return ``session[key]``, setting it to ``default`` first when absent."""
        if key not in self:
            self.modified = True
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Set several keys at once."""
        super().update(*args, **kwargs)
        self.modified = True

    def __ior__(self, other: Any) -> Session:  # type: ignore[override,misc]
        self.update(other)
        return self


class SessionCodec:
    """Signs a session into a cookie value and reads it back, rejecting bad or old ones.

    :param secret_key: the signing key; sessions signed with another key are ignored.
    :param max_age: seconds a signed value stays valid (None: no limit).
    """

    def __init__(self, secret_key: str | bytes, max_age: int | None = None) -> None:
        self.max_age = max_age
        self._serializer = URLSafeTimedSerializer(secret_key, salt=_SALT)

    def dumps(self, data: dict[str, Any]) -> str:
        """The signed cookie value for ``data`` (JSON-serialisable values only)."""
        value = self._serializer.dumps(dict(data))
        return value if isinstance(value, str) else value.decode("ascii")

    def loads(self, value: str) -> dict[str, Any]:
        """The data in a cookie value, or ``{}`` when it is unsigned, tampered or expired."""
        try:
            data = self._serializer.loads(value, max_age=self.max_age)
        except (BadData, ValueError, TypeError, UnicodeError):
            return {}
        return data if isinstance(data, dict) else {}


def _secret_key(app: App) -> str | bytes:
    key = app.secret_key
    if not key:
        key = app.config.get("SECRET_KEY", default=None)
    if not key:
        key = DEFAULT_SECRET_KEY
    if hmac.compare_digest(str(key), DEFAULT_SECRET_KEY) and not app.debug:
        logger.warning(
            "Cookie sessions are signed with Dyne's built-in development key; set "
            "App(secret_key=...) or SECRET_KEY to a long random value before deploying."
        )
    return key


def codec_for(app: App) -> SessionCodec:
    """The app's session codec, built (and the key chosen) the first time it is needed."""
    codec = app._session_codec
    if codec is None:
        codec = app._session_codec = SessionCodec(_secret_key(app), app.session_max_age)
    return codec


def load_session(req: Request) -> Session:
    """Read the session from the request's ``dyne-Session`` cookie (``{}`` if absent or bad)."""
    value = req.cookies.get(SESSION_COOKIE)
    if not value:
        return Session()
    return Session(codec_for(req.app).loads(value))


def save_session(req: Request, resp: Response) -> None:
    """Add the ``Set-Cookie`` for a changed session to ``resp`` (a deletion when emptied)."""
    session = req._session
    if session is None or not session.modified:
        return
    # Cleared first: if encoding fails, the error response must not try (and fail) again.
    session.modified = False
    app = req.app
    secure = app.session_https_only
    if not session:
        if SESSION_COOKIE in req.cookies:
            resp.set_cookie(
                SESSION_COOKIE,
                "",
                expires="Thu, 01 Jan 1970 00:00:00 GMT",
                max_age=0,
                secure=secure,
            )
        return
    value = codec_for(app).dumps(session)
    if len(value) > _MAX_COOKIE_SIZE:
        logger.warning(
            "The session cookie is %d bytes, more than browsers keep (about 4 KiB); "
            "store less in the session, or keep the data server-side.",
            len(value),
        )
    resp.set_cookie(SESSION_COOKIE, value, max_age=app.session_max_age, secure=secure)
