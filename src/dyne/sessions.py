"""Cookie sessions: a dict kept in a signed ``dyne-Session`` cookie.

``req.session`` reads the cookie the first time it is used; ``resp.session`` is the same
dict. The cookie is written back only when the dict was changed, so requests that don't
touch the session cost nothing. The data is signed (itsdangerous), not encrypted: the
client can read it but not alter it.

The signing key is ``App(secret_key=...)`` or the ``SECRET_KEY`` config key, at least
:data:`MIN_SECRET_KEY_LENGTH` bytes long. Without one, a random key is made for the
process (and a warning logged): sessions then end when the process restarts and are not
shared between workers. Dyne never signs with a key published in its source.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any, Protocol

from itsdangerous import BadData, URLSafeTimedSerializer

if TYPE_CHECKING:
    from dyne.app import App
    from dyne.request import Request
    from dyne.response import Response

__all__ = [
    "MIN_SECRET_KEY_LENGTH",
    "SESSION_COOKIE",
    "Session",
    "SessionCodec",
    "SessionStore",
    "app_secret_key",
    "check_secret_key",
    "codec_for",
    "delete_session_cookie",
    "load_session",
    "make_codec",
    "save_session",
    "set_session_cookie",
]

logger = logging.getLogger("dyne.sessions")

#: The cookie that carries the session.
SESSION_COOKIE = "dyne-Session"

#: The shortest signing key accepted, in bytes (UTF-8 for a ``str``).
MIN_SECRET_KEY_LENGTH = 16

# Used only when the app has no key: unknown outside this process, so nobody can forge
# sessions with it; the price is that sessions die with the process.
_PROCESS_KEY = secrets.token_bytes(32)

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
        #: the server-side id a :class:`SessionStore` gave it (None for cookie sessions)
        self.id: str | None = None

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


class SessionStore(Protocol):
    """Where sessions live instead of the cookie: ``App(session_store=...)``.

    The default (no store) keeps the whole session in the signed cookie. A store keeps the
    data elsewhere (``dyne.ext.redis.RedisSessionStore``) and the cookie only names it; it
    writes that cookie with :func:`set_session_cookie` / :func:`delete_session_cookie`.
    """

    def load(self, req: Request) -> Session:
        """The session for ``req`` (an empty :class:`Session` when it has none)."""
        ...

    def save(self, req: Request, resp: Response, session: Session) -> None:
        """Store a changed ``session`` (deleting it when empty) and set the cookie."""
        ...


def check_secret_key(key: str | bytes, source: str = "secret_key") -> str | bytes:
    """Return ``key`` when it is long enough to sign with, else raise ``ValueError``.

    :param source: where the key came from, named in the error (``SECRET_KEY``).
    """
    if not isinstance(key, str | bytes):
        raise TypeError(f"{source} must be a str or bytes, not {type(key).__name__}.")
    size = len(key.encode("utf-8") if isinstance(key, str) else key)
    if size < MIN_SECRET_KEY_LENGTH:
        raise ValueError(
            f"{source} is {size} bytes long, shorter than the {MIN_SECRET_KEY_LENGTH} bytes "
            'Dyne requires to sign cookies; use a long random value, e.g. python -c "import '
            'secrets; print(secrets.token_urlsafe(32))".'
        )
    return key


def app_secret_key(app: App) -> str | bytes | None:
    """The app's signing key, ``App(secret_key=...)`` else the ``SECRET_KEY`` config key
    (read when asked, so one set after ``App()`` counts), or None when neither is set.

    :raises ValueError: when the key is shorter than 16 bytes.
    """
    if app.secret_key:
        return check_secret_key(app.secret_key)
    key = app.config.get("SECRET_KEY", default=None)
    if key:
        return check_secret_key(key, "SECRET_KEY")
    return None


def _secret_key(app: App) -> str | bytes:
    key = app_secret_key(app)
    if key is not None:
        return key
    log = logger.info if app.debug else logger.warning
    log(
        "No secret key is set, so cookie sessions are signed with a random key made for this "
        "process: they end when it restarts and are not shared between workers; set "
        "App(secret_key=...) or SECRET_KEY to a long random value before deploying."
    )
    return _PROCESS_KEY


def make_codec(app: App) -> SessionCodec:
    """A new session codec for ``app``: its secret key (else a random per-process key, with
    a warning) and its ``session_max_age``. ``app.session_codec`` calls it once."""
    return SessionCodec(_secret_key(app), app.session_max_age)


def codec_for(app: App) -> SessionCodec:
    """The app's session codec (``app.session_codec``), built the first time it is needed."""
    return app.session_codec


def load_session(req: Request) -> Session:
    """Read the session from the request's ``dyne-Session`` cookie (``{}`` if absent or bad),
    or from the app's :class:`SessionStore` when it has one; :func:`save_session` is then
    registered with ``req.on_headers`` so the response carries the session if it changes.
    ``req.session`` calls it once per request."""
    store = req.app.session_store
    if store is not None:
        session: Session = store.load(req)
    else:
        value = req.cookies.get(SESSION_COOKIE)
        session = Session(codec_for(req.app).loads(value)) if value else Session()
    # Only requests that read the session pay for saving it.
    req.on_headers(save_session)
    return session


def save_session(req: Request, resp: Response) -> None:
    """Add the ``Set-Cookie`` for a changed session to ``resp`` (a deletion when emptied);
    nothing when the session is unchanged."""
    session = req.session
    if not isinstance(session, Session) or not session.modified:
        return
    # Cleared first: if encoding fails, the error response must not try (and fail) again.
    session.modified = False
    app = req.app
    if app.session_store is not None:
        app.session_store.save(req, resp, session)
        return
    if not session:
        delete_session_cookie(req, resp)
        return
    value = codec_for(app).dumps(session)
    if len(value) > _MAX_COOKIE_SIZE:
        logger.warning(
            "The session cookie is %d bytes, more than browsers keep (about 4 KiB); "
            "store less in the session, or keep the data server-side.",
            len(value),
        )
    set_session_cookie(req, resp, value)


def _secure(req: Request) -> bool:
    # Over HTTPS the cookie must never travel back in clear text; behind a TLS-terminating
    # proxy the scheme is https only when the server trusts the proxy's headers.
    return bool(req.app.session_https_only or req.is_secure)


def set_session_cookie(req: Request, resp: Response, value: str) -> None:
    """Set the ``dyne-Session`` cookie to ``value`` with the app's max age, ``Secure`` over
    HTTPS (or with ``session_https_only``)."""
    resp.set_cookie(SESSION_COOKIE, value, max_age=req.app.session_max_age, secure=_secure(req))


def delete_session_cookie(req: Request, resp: Response) -> None:
    """Tell the client to drop its ``dyne-Session`` cookie (when it sent one)."""
    if SESSION_COOKIE in req.cookies:
        resp.set_cookie(
            SESSION_COOKIE,
            "",
            expires="Thu, 01 Jan 1970 00:00:00 GMT",
            max_age=0,
            secure=_secure(req),
        )
