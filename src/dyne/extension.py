"""The one door between Dyne's core and its extensions, in-tree or third-party.

An extension (``dyne.ext.*`` or a package of your own) imports this module and the other
public core modules (``dyne``, ``dyne.request``, ``dyne.response``, ...), never a private
one (``dyne._meta``, ``dyne._utils``) and never a ``_name``. Everything an extension needs
from the core is here, under one name each:

- **route metadata**: :func:`wraps`, :func:`annotate`, :func:`append` leave facts on an
  endpoint (``security``, ``input``, ...) that :func:`meta_of` reads back (the OpenAPI
  extension does); all three refuse an endpoint already routed
  (:func:`check_not_routed`), so a decorator placed above ``@app.route`` fails at import
  instead of leaving the route silently unguarded.
- **the view's arguments**: :func:`find_request` and :func:`view_arguments`, one rule for
  every decorator: ``(req, resp, ...)`` for function views, ``(self, req, resp, ...)`` for
  class-view methods.
- **sync or async callables**: :func:`is_async_callable`, :func:`as_async` (decide once,
  when a callback is registered).
- **the secret key**: :func:`secret_key` (checked, or None) and :func:`derive_key` (a key
  of its own for each purpose, so no two uses of the app's secret share a key).
- **app-wide state**: :func:`register` puts an extension in ``app.extensions`` under one
  name (a second, different extension under the same name is an error); ``app.state`` is
  the user's.
- **hooks**: ``app.request_properties`` (``req.db``), ``app.on_event``, ``resp.complete``
  (a guard that refuses ends the request), :func:`set_not_found_fallback`, and the session
  seam :class:`SessionStore` (``App(session_store=...)``).
- **optional dependencies**: :func:`require` imports a package or raises
  :class:`~dyne.exceptions.MissingDependency` naming the extra.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from dyne._meta import (
    META_ATTRIBUTE,
    annotate,
    append,
    check_not_routed,
    is_routed,
    meta_of,
    wraps,
)
from dyne._utils import as_async, is_async_callable, require
from dyne.request import Request
from dyne.sessions import SessionStore, app_secret_key

if TYPE_CHECKING:
    from dyne.app import App
    from dyne.response import Response

__all__ = [
    "META_ATTRIBUTE",
    "Extensions",
    "SessionStore",
    "annotate",
    "append",
    "as_async",
    "check_not_routed",
    "derive_key",
    "find_request",
    "is_async_callable",
    "is_routed",
    "meta_of",
    "register",
    "require",
    "secret_key",
    "set_not_found_fallback",
    "view_arguments",
    "wraps",
]


# -- the view's arguments ----------------------------------------------------------------


def find_request(args: tuple[Any, ...], kwargs: Mapping[str, Any] | None = None) -> Request | None:
    """The :class:`~dyne.request.Request` a view (or a helper) was called with, or None.

    The one rule: the first positional argument that is a Request (``req`` in
    ``view(req, resp, ...)``, the second in a class-view method ``(self, req, resp, ...)``),
    else the first keyword argument that is one.
    """
    if args and isinstance(args[0], Request):  # the common case, checked first
        return args[0]
    for value in args:
        if isinstance(value, Request):
            return value
    if kwargs:
        for value in kwargs.values():
            if isinstance(value, Request):
                return value
    return None


def view_arguments(
    args: tuple[Any, ...], decorator: str = "This decorator"
) -> tuple[Request, Response]:
    """``(req, resp)`` of a view call: the request found as :func:`find_request` finds it
    among the positional arguments, and the response right after it.

    :param decorator: the decorator's name, for the error (``"@authenticate(...)"``).
    :raises TypeError: when the call carries no request followed by a response.
    """
    if args and isinstance(args[0], Request) and len(args) > 1:
        return args[0], args[1]
    for index, value in enumerate(args[:-1]):
        if isinstance(value, Request):
            return value, args[index + 1]
    raise TypeError(
        f"{decorator} wraps a view called without (req, resp) among its positional "
        "arguments; views are called as view(req, resp, **params), class-view methods as "
        "on_get(self, req, resp, **params)."
    )


# -- the secret key ------------------------------------------------------------------------

# Used by derive_key when the app has no secret key: random, so never a published key, and
# per process (what it signs does not survive a restart or span workers).
_PROCESS_KEY = secrets.token_bytes(32)


def secret_key(app: App) -> str | bytes | None:
    """The app's secret key: ``App(secret_key=...)``, else the ``SECRET_KEY`` config key,
    else None.

    :raises ValueError: when the key is shorter than 16 bytes.
    """
    return app_secret_key(app)


def derive_key(app: App, purpose: str) -> bytes:
    """A 32-byte key for one ``purpose`` (``"dyne.ext.auth.digest\\0<realm>"``), derived
    from the app's secret key with HMAC-SHA256, so that no two uses of the secret share a
    key. With no secret key set, it is derived from a random per-process key.

    :raises ValueError: when the app's key is shorter than 16 bytes.
    """
    key = secret_key(app)
    raw = key.encode("utf-8") if isinstance(key, str) else key
    if raw is None:
        raw = _PROCESS_KEY
    return hmac.new(raw, purpose.encode("utf-8"), hashlib.sha256).digest()


# -- app-wide state: app.extensions ------------------------------------------------------------


class Extensions(Mapping[str, Any]):
    """``app.extensions``: each registered extension by its one name (read-only mapping;
    extensions add themselves with :func:`register`)."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"<Extensions {sorted(self._items)}>"

    def add(self, name: str, extension: Any) -> Any:
        """Register ``extension`` under ``name`` and return it (again: no change).

        :raises RuntimeError: when another object is already registered under ``name``.
        """
        current = self._items.get(name)
        if current is not None and current is not extension:
            raise RuntimeError(
                f"This app already has a {name!r} extension ({current!r}); register one per "
                "app and share it, or give the new one another name."
            )
        self._items[name] = extension
        return extension


def register(app: App, name: str, extension: Any) -> Any:
    """Put ``extension`` in ``app.extensions[name]`` and return it (registering the same
    object again changes nothing).

    :raises RuntimeError: when another extension is already registered under ``name``.
    """
    return app.extensions.add(name, extension)


# -- hooks -------------------------------------------------------------------------------


def set_not_found_fallback(
    app: App, fallback: Callable[[Request, Response], Awaitable[None]]
) -> None:
    """Answer GET and HEAD requests no route matches with ``await fallback(req, resp)``
    (the single-page-app index does); raise ``HTTPException(404)`` in it to refuse."""
    app.set_not_found_fallback(fallback)
