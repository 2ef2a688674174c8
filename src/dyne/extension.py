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
  (a guard that refuses ends the request), :func:`set_not_found_fallback`, per request
  ``req.on_headers(callback)`` (just before the response's headers are encoded: how the
  session saves itself) and ``req.add_finalizer(callback)``, and the session seam
  :class:`SessionStore` (``App(session_store=...)``; ``app.session_codec`` signs the
  cookie).
- **page assets**: :class:`PinnedAsset` and :class:`PageAssets`, the one way a page
  (API docs, GraphiQL) loads third-party files: from the app when every file is present
  locally, else from pinned CDN copies checked by subresource integrity;
  :func:`package_files` finds files in an installed package without importing it.
- **registries**, per app: :func:`add_body_format` (a :class:`BodyFormat` such as
  MessagePack or CBOR) and :func:`add_path_converter` (``{id:slug}``).
- **optional dependencies**: :func:`require` imports a package or raises
  :class:`~dyne.exceptions.MissingDependency` naming the extra.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import importlib.util
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

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
from dyne.formats import JSON_TYPES, YAML_TYPES, BodyFormat
from dyne.paths import CONVERTERS, Converter
from dyne.request import Request
from dyne.sessions import SessionStore, app_secret_key

if TYPE_CHECKING:
    from dyne.app import App
    from dyne.response import Response

__all__ = [
    "META_ATTRIBUTE",
    "AssetLink",
    "BodyFormat",
    "Converter",
    "Extensions",
    "PageAssets",
    "PinnedAsset",
    "SessionStore",
    "add_body_format",
    "add_path_converter",
    "annotate",
    "append",
    "as_async",
    "check_not_routed",
    "derive_key",
    "find_request",
    "is_async_callable",
    "is_routed",
    "meta_of",
    "package_files",
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


# -- page assets -------------------------------------------------------------------------

_ASSET_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


@dataclass(frozen=True, slots=True)
class PinnedAsset:
    """One third-party file a page loads: the name the app serves it under, its pinned
    CDN copy, and that copy's subresource-integrity hash (``sha384-<base64>``)."""

    name: str
    cdn_url: str
    integrity: str


@dataclass(frozen=True, slots=True)
class AssetLink:
    """Where a page loads one asset from: the URL, and the integrity hash to check (None
    for the app's own copy)."""

    url: str
    integrity: str | None

    def _integrity(self) -> str:
        if self.integrity is None:
            return ""
        return f' integrity="{self.integrity}" crossorigin="anonymous"'

    def attributes(self) -> str:
        """``src="..."`` (plus ``integrity`` and ``crossorigin`` for a CDN copy), escaped."""
        return f'src="{html.escape(self.url, quote=True)}"{self._integrity()}'

    def script(self) -> str:
        """A ``<script>`` element loading the asset."""
        return f"<script {self.attributes()}></script>"

    def stylesheet(self) -> str:
        """A ``<link rel="stylesheet">`` element loading the asset."""
        url = html.escape(self.url, quote=True)
        return f'<link rel="stylesheet" href="{url}"{self._integrity()}>'


class PageAssets:
    """The files one page loads: from the app when every one was found locally, else from
    their pinned CDN copies (checked by subresource integrity), decided once, when made.

    :param assets: the files, in the order the page loads them.
    :param local: the local copies found, by asset name (see :func:`package_files`).
    :param logger: where to say, once per ``what``, that the page needs the internet.
    :param what: the page, for that message (``"The redoc docs page"``).
    :param fix: what to do about it (``pip install "dyne[docs_ui]"``).
    """

    _warned: set[str] = set()

    def __init__(
        self,
        assets: Sequence[PinnedAsset],
        local: Mapping[str, Path] | None,
        *,
        logger: logging.Logger,
        what: str,
        fix: str,
    ) -> None:
        self.assets = tuple(assets)
        found = dict(local or {})
        #: True when the app serves every file itself
        self.local = all(asset.name in found for asset in self.assets)
        self._files = found if self.local else {}
        if not self.local and what not in PageAssets._warned:
            PageAssets._warned.add(what)
            missing = [asset.name for asset in self.assets if asset.name not in found]
            logger.warning(
                "%s loads its files from the internet (pinned CDN copies) because the app "
                "has no copy of %s; %s",
                what,
                ", ".join(missing),
                fix,
            )

    def link(self, name: str, local_url: str) -> AssetLink:
        """Where the page loads asset ``name``: ``local_url`` (the app's copy) or the CDN."""
        if self.local:
            return AssetLink(local_url, None)
        asset = next(asset for asset in self.assets if asset.name == name)
        return AssetLink(asset.cdn_url, asset.integrity)

    @property
    def sources(self) -> str:
        """The Content-Security-Policy source list for the page's code: ``'self'``, plus the
        CDN origins when the files come from there."""
        origins = sorted(
            {f"{urlsplit(a.cdn_url).scheme}://{urlsplit(a.cdn_url).netloc}" for a in self.assets}
        )
        return "'self'" if self.local else " ".join(["'self'", *origins])

    def serve(self, resp: Response, name: str) -> bool:
        """Send the app's copy of asset ``name`` (cached for an hour); False when the app
        has no such file (answer 404)."""
        path = self._files.get(name)
        if path is None:
            return False
        resp.headers["cache-control"] = "public, max-age=3600"
        resp.file(path, content_type=_ASSET_TYPES.get(path.suffix))
        return True


def package_files(package: str, patterns: Mapping[str, str]) -> dict[str, Path]:
    """The files of an installed ``package`` (found without importing it), by name:
    ``patterns`` maps each name to a path inside the package that may hold one ``*`` (the
    last match wins). Names whose file is missing are left out."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return {}
    if spec is None or not spec.submodule_search_locations:
        return {}
    directory = Path(next(iter(spec.submodule_search_locations)))
    found: dict[str, Path] = {}
    for name, pattern in patterns.items():
        matches = sorted(directory.glob(pattern))
        if matches and matches[-1].is_file():
            found[name] = matches[-1]
    return found


# -- registries ----------------------------------------------------------------------------

_BUILTIN_FORMATS = frozenset({"json", "yaml", "form", "files"})
_BUILTIN_TYPES = (
    JSON_TYPES | YAML_TYPES | {"application/x-www-form-urlencoded", "multipart/form-data"}
)


def add_body_format(app: App, body_format: BodyFormat) -> None:
    """Let ``app`` read and write ``body_format`` (``req.media()``, ``resp.media``).

    :raises ValueError: when its name or a Content-Type is already taken (JSON, YAML and
        forms are built in), or it names no Content-Type.
    """
    name = body_format.name
    if not body_format.mimetypes:
        raise ValueError(f"Body format {name!r} names no Content-Type; list at least one.")
    taken = {t: n for n, f in app.body_formats.items() for t in f.mimetypes}
    clash = [t for t in body_format.mimetypes if t in _BUILTIN_TYPES or t in taken]
    if name in _BUILTIN_FORMATS or name in app.body_formats or clash:
        raise ValueError(
            f"Body format {name!r} clashes with one the app already reads "
            f"({', '.join(clash) or name}); give it another name and Content-Type."
        )
    app.body_formats[name] = body_format


def add_path_converter(app: App, name: str, converter: Converter) -> None:
    """Make ``{param:name}`` available in ``app``'s route paths: ``converter.regex``
    matches one value within a path segment (across segments with
    ``matches_slash=True``), ``converter.convert`` parses it (raise ``ValueError`` for a
    404), ``converter.to_string`` writes it back for ``url_for`` and ``converter.schema``
    documents it in OpenAPI. Add it before the routes that use it; other apps are not
    affected (the built-in table, ``dyne.routing.CONVERTERS``, is read-only).

    :raises ValueError: when ``name`` is a built-in converter (int, float, str, path, uuid)
        or one the app already has, or is not an identifier.
    """
    if not name.isidentifier():
        raise ValueError(f"Path converter name {name!r} is not an identifier; use letters.")
    table = app.path_converters
    current = table.get(name, CONVERTERS.get(name))
    if current is not None and current != converter:
        raise ValueError(f"Path converter {name!r} already exists; choose another name for yours.")
    if not table:
        table.update(CONVERTERS)
    table[name] = converter
