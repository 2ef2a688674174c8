"""``OpenAPI(app)``: the routes serving the spec and the documentation page."""

from __future__ import annotations

import copy
import importlib.util
import inspect
import json
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import yaml

from dyne.exceptions import MissingDependency
from dyne.ext.openapi._assets import THEMES, theme_assets
from dyne.ext.openapi._builder import build_spec
from dyne.ext.openapi._json import JSONObject
from dyne.ext.openapi._ui import content_security_policy, page
from dyne.extension import PageAssets, register
from dyne.request import Request
from dyne.response import Response

if TYPE_CHECKING:
    from dyne.app import App
    from dyne.ext.openapi._assets import Theme

#: The views OpenAPI adds: the spec (YAML, JSON), the page and its files.
type _View = Callable[..., Awaitable[None]]

__all__ = ["OpenAPI"]

_VERSION = re.compile(r"3\.0\.[0-4]|3\.1\.[01]")


def _installed(package: str) -> bool:
    # find_spec reads the import path without importing (OpenAPI imports no schema library);
    # a module hidden as sys.modules[name] = None counts as absent.
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


def _check_schema_dependencies() -> None:
    """Fail now, not at the first request for the spec, when marshmallow schemas cannot be
    described: marshmallow's JSON Schema comes from apispec (pydantic needs nothing more)."""
    if _installed("marshmallow") and not _installed("apispec"):
        raise MissingDependency("apispec", "openapi_marshmallow")


def _route(path: str | None) -> str | None:
    if path is None:
        return None
    if not path.startswith("/"):
        raise ValueError(f"OpenAPI route {path!r} must start with '/'; write '/{path}'.")
    return path


class OpenAPI:
    """Documents an app's API: the spec at ``/schema.yml`` and ``/openapi.json``, and an
    interactive page at ``/docs``.

    The spec is built from the routes and what their decorators (``@input``, ``@output``,
    ``@expect``, ``@webhook``, ``@authenticate``, ``login_required``) recorded, once, and
    built again only when routes are added.

    :param app: the app to document (or None, then call :meth:`init_app`).
    :param title: the API's name.
    :param version: the API's own version (not OpenAPI's).
    :param description: Markdown shown at the top of the page (indentation is removed).
    :param terms_of_service: a URL.
    :param contact: ``{"name": ..., "url": ..., "email": ...}`` (a string is the name).
    :param license: ``{"name": ..., "url": ...}`` (a string is the name).
    :param openapi: the OpenAPI version written: ``"3.0.0"``-``"3.0.4"``, ``"3.1.0"``, ``"3.1.1"``.
    :param theme: the page at ``docs_route``: swaggerui, redoc, rapidoc or elements.
    :param docs_route: where the page is served (None: no page).
    :param schema_route: where the YAML spec is served (None: not served).
    :param json_route: where the JSON spec is served (None: not served).
    """

    def __init__(
        self,
        app: App | None = None,
        title: str = "Dyne API",
        version: str = "1.0",
        description: str | None = None,
        terms_of_service: str | None = None,
        contact: dict[str, str] | str | None = None,
        license: dict[str, str] | str | None = None,
        openapi: str = "3.0.3",
        theme: str = "swaggerui",
        docs_route: str | None = "/docs",
        schema_route: str | None = "/schema.yml",
        json_route: str | None = "/openapi.json",
    ) -> None:
        if not isinstance(openapi, str) or not _VERSION.fullmatch(openapi):
            raise ValueError(
                f"Unsupported OpenAPI version {openapi!r}; use one of 3.0.0 to 3.0.4, "
                "3.1.0 or 3.1.1."
            )
        if theme not in THEMES:
            raise ValueError(
                f"Unknown docs theme {theme!r}; use one of: {', '.join(sorted(THEMES))}."
            )
        _check_schema_dependencies()
        self.title = title
        self.version = version
        self.description = description
        self.terms_of_service = terms_of_service
        self.contact = contact
        self.license = license
        self.openapi = openapi
        self.theme = theme
        self.docs_route = _route(docs_route)
        self.schema_route = _route(schema_route)
        self.json_route = _route(json_route)
        self.app: App | None = None
        self._endpoints: list[_View] = []
        self._cache_key: tuple[int, str, JSONObject] | None = None
        self._spec: JSONObject | None = None
        self._encoded: dict[str, bytes] = {}
        if app is not None:
            self.init_app(app)

    # -- setup -------------------------------------------------------------------------

    def init_app(self, app: App) -> None:
        """Register the spec and documentation routes on ``app``."""
        if app.extensions.get("openapi") is not None:
            raise RuntimeError(
                "OpenAPI is already set up for this app; create one OpenAPI per app."
            )
        self.app = app
        register(app, "openapi", self)
        if self.schema_route is not None:
            self._add(app, self.schema_route, self._yaml_view())
        if self.json_route is not None:
            self._add(app, self.json_route, self._json_view())
        if self.docs_route is not None:
            theme = THEMES[self.theme]
            assets = theme_assets(theme)  # decided once, at registration
            base = self.docs_route.rstrip("/")
            asset_route = f"{base}/assets/{theme.name}"
            self._add(app, self.docs_route, self._page_view(theme, asset_route, assets))
            if assets.local:
                self._add(app, asset_route + "/{name}", self._asset_view(assets))

    def _add(self, app: App, path: str, endpoint: _View) -> None:
        self._endpoints.append(endpoint)
        app.add_route(path, endpoint, name=f"openapi:{path}")

    # -- the document ------------------------------------------------------------------

    @property
    def info(self) -> JSONObject:
        """The document's Info Object."""
        info: JSONObject = {"title": self.title, "version": self.version}
        if self.description:
            info["description"] = inspect.cleandoc(self.description)
        if self.terms_of_service:
            info["termsOfService"] = self.terms_of_service
        if self.contact:
            info["contact"] = (
                {"name": self.contact} if isinstance(self.contact, str) else dict(self.contact)
            )
        if self.license:
            info["license"] = (
                {"name": self.license} if isinstance(self.license, str) else dict(self.license)
            )
        return info

    @property
    def spec(self) -> JSONObject:
        """The OpenAPI document as a dict (a copy: changing it changes nothing served)."""
        return copy.deepcopy(self._current())

    def _current(self) -> JSONObject:
        if self.app is None:
            raise RuntimeError("OpenAPI has no app yet; pass one or call init_app(app) first.")
        # Routes are only ever added, so their count tells whether the cache is stale.
        info = self.info
        key = (len(self.app.router.routes), self.openapi, info)
        if self._spec is None or key != self._cache_key:
            built = build_spec(
                self.app.routes,
                info=info,
                version=self.openapi,
                exclude=self._endpoints,
                problem_details=bool(getattr(self.app, "problem_details", False)),
            )
            # A round trip through JSON keeps only plain data, so YAML and JSON agree.
            self._spec = json.loads(json.dumps(built, default=str))
            self._encoded = {}
            self._cache_key = key
        return self._spec

    def to_json(self) -> str:
        """The OpenAPI document as JSON text."""
        return self._encode("json").decode("utf-8")

    def to_yaml(self) -> str:
        """The OpenAPI document as YAML text."""
        return self._encode("yaml").decode("utf-8")

    def _encode(self, kind: str) -> bytes:
        spec = self._current()
        encoded = self._encoded.get(kind)
        if encoded is None:
            if kind == "json":
                encoded = json.dumps(spec, ensure_ascii=False).encode("utf-8")
            else:
                text = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)
                encoded = text.encode("utf-8")
            self._encoded[kind] = encoded
        return encoded

    # -- views -------------------------------------------------------------------------

    def _yaml_view(self) -> _View:
        async def openapi_yaml(req: Request, resp: Response) -> None:
            """The OpenAPI document, as YAML."""
            resp.content = self._encode("yaml")
            resp.mimetype = "application/yaml; charset=utf-8"

        return openapi_yaml

    def _json_view(self) -> _View:
        async def openapi_json(req: Request, resp: Response) -> None:
            """The OpenAPI document, as JSON."""
            resp.content = self._encode("json")
            resp.mimetype = "application/json"

        return openapi_json

    def _page_view(self, theme: Theme, asset_route: str, assets: PageAssets) -> _View:
        fixed = None if theme.nonce else content_security_policy(assets)

        async def openapi_docs(req: Request, resp: Response) -> None:
            """The interactive documentation page."""
            # A fresh nonce per response: only the page's own inline scripts run.
            nonce = secrets.token_urlsafe(18) if theme.nonce else None
            resp.headers["content-security-policy"] = fixed or content_security_policy(
                assets, nonce
            )
            root = req.scope.get("root_path", "")
            spec_path = self.json_route or self.schema_route or ""
            resp.html = page(
                theme,
                title=self.title,
                spec_url=root + spec_path,
                asset_url=root + asset_route,
                assets=assets,
                nonce=nonce,
            )

        return openapi_docs

    def _asset_view(self, assets: PageAssets) -> _View:
        async def openapi_asset(req: Request, resp: Response, name: str) -> None:
            """A file of the documentation page, from the package that ships it."""
            if not assets.serve(resp, name):
                resp.status_code = 404
                resp.text = "Not Found"

        return openapi_asset
