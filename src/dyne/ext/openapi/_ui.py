"""The documentation pages: Swagger UI, ReDoc, RapiDoc and Stoplight Elements.

Each page loads its JavaScript and CSS from the app itself, from files shipped by an
installed package (the ``docs_ui`` extra). The packages are located without being
imported. When a theme's package is missing, the page falls back to a pinned CDN copy
checked by a subresource-integrity hash, and one log line says the page now needs the
internet.
"""

from __future__ import annotations

import html
import importlib.util
import json
import logging
from dataclasses import dataclass
from pathlib import Path

__all__ = ["THEMES", "Asset", "Theme", "content_security_policy", "page", "resolve_assets"]

logger = logging.getLogger("dyne.openapi")

_CDN_ORIGIN = "https://cdn.jsdelivr.net"
_CDN = _CDN_ORIGIN + "/npm/"


@dataclass(frozen=True, slots=True)
class Asset:
    """One file a page needs: where the package keeps it, and the pinned CDN copy."""

    name: str
    package_path: str  # relative to the package directory; may hold one "*"
    cdn_url: str
    integrity: str


@dataclass(frozen=True, slots=True)
class Theme:
    """A documentation UI: the package shipping it, and the files its page loads."""

    name: str
    package: str
    distribution: str
    assets: tuple[Asset, ...]


# The CDN copies are the npm releases whose files the packages ship (byte-identical for
# Swagger UI and ReDoc; the nearest published release for RapiDoc and Elements).
THEMES: dict[str, Theme] = {
    "swaggerui": Theme(
        "swaggerui",
        "swagger_ui_bundle",
        "swagger-ui-bundle-v2",
        (
            Asset(
                "swagger-ui-bundle.js",
                "vendor/swagger-ui-*/swagger-ui-bundle.js",
                _CDN + "swagger-ui-dist@5.31.0/swagger-ui-bundle.js",
                "sha384-cxafBeQ+zYROeFafGFxtFbnp1ICqeS9mG7+f0WWSHzhnrUvwg9Za5CCw6wgrHA7K",
            ),
            Asset(
                "swagger-ui.css",
                "vendor/swagger-ui-*/swagger-ui.css",
                _CDN + "swagger-ui-dist@5.31.0/swagger-ui.css",
                "sha384-KX9Rx9vM1AmUNAn07bPAiZhFD4C8jdNgG6f5MRNvR+EfAxs2PmMFtUUazui7ryZQ",
            ),
        ),
    ),
    "redoc": Theme(
        "redoc",
        "star_openapi_redoc",
        "star-openapi-redoc",
        (
            Asset(
                "redoc.standalone.js",
                "templates/redoc/js/redoc.standalone.js",
                _CDN + "redoc@3.0.1/bundles/redoc.standalone.js",
                "sha384-j07qRKHNNmcwU1/Y1elJc7pDLHXP/QfbQXTtSkbOJ7uYGJikqAzsFVbY2zR9FqOT",
            ),
        ),
    ),
    "rapidoc": Theme(
        "rapidoc",
        "star_openapi_rapidoc",
        "star-openapi-rapidoc",
        (
            Asset(
                "rapidoc-min.js",
                "templates/rapidoc/js/rapidoc-min.js",
                _CDN + "rapidoc@9.3.8/dist/rapidoc-min.js",
                "sha384-szzoYhqSJqZH8X90KwbBjYL1CMLEa3U7xl/oAZg4ViKpYEY5GVhM+peBQB4u7ANM",
            ),
        ),
    ),
    "elements": Theme(
        "elements",
        "star_openapi_elements",
        "star-openapi-elements",
        (
            Asset(
                "web-components.min.js",
                "templates/elements/js/web-components.min.js",
                _CDN + "@stoplight/elements@9.0.25/web-components.min.js",
                "sha384-X5kH2B8aH81JEl8IfSBwwnr8FYcCqMzdxpqjmmlRbhIl7SsQ9Zn0xk+csQmU37zN",
            ),
            Asset(
                "styles.min.css",
                "templates/elements/css/styles.min.css",
                _CDN + "@stoplight/elements@9.0.25/styles.min.css",
                "sha384-NzdOiocfnINlXfuCXi4OpL/xvdbgLiKaLHQ07Z+IwhVaxHqLShn5rVD5OHt/LYgz",
            ),
        ),
    ),
}

_warned: set[str] = set()


def _package_dir(package: str) -> Path | None:
    # find_spec on a top-level name reads the import path without running the package.
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _find(directory: Path, pattern: str) -> Path | None:
    matches = sorted(directory.glob(pattern))
    return matches[-1] if matches else None


def resolve_assets(theme: Theme) -> dict[str, Path] | None:
    """The local files of ``theme`` by asset name, or None (and one log line) if absent."""
    directory = _package_dir(theme.package)
    files: dict[str, Path] = {}
    if directory is not None:
        for asset in theme.assets:
            found = _find(directory, asset.package_path)
            if found is None or not found.is_file():
                break
            files[asset.name] = found
        else:
            return files
    if theme.name not in _warned:
        _warned.add(theme.name)
        logger.warning(
            "The %s docs page loads its files from the internet because %s is not "
            'installed; install it with: pip install "dyne[docs_ui]"',
            theme.name,
            theme.distribution,
        )
    return None


@dataclass(frozen=True, slots=True)
class _Link:
    url: str
    integrity: str | None

    def attributes(self) -> str:
        url = html.escape(self.url, quote=True)
        if self.integrity is None:
            return f'src="{url}"'
        return f'src="{url}" integrity="{self.integrity}" crossorigin="anonymous"'

    def stylesheet(self) -> str:
        return '<link rel="stylesheet" ' + self.attributes().replace("src=", "href=", 1) + ">"


def _js(value: str) -> str:
    # A JSON string is a JavaScript string; "</" must not end the <script> element.
    return json.dumps(value).replace("</", "<\\/")


def _swaggerui(title: str, spec_url: str, links: dict[str, _Link]) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{links["swagger-ui.css"].stylesheet()}
</head>
<body>
<div id="swagger-ui"></div>
<script {links["swagger-ui-bundle.js"].attributes()}></script>
<script>
window.ui = SwaggerUIBundle({{
  url: {_js(spec_url)},
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
}});
</script>
</body>
</html>
"""


def _module_import(name: str, link: _Link) -> str:
    # ReDoc 3 and RapiDoc 11 are ES modules; an import map carries the integrity hash.
    imports: dict[str, object] = {"imports": {name: link.url}}
    if link.integrity is not None:
        imports["integrity"] = {link.url: link.integrity}
    return '<script type="importmap">' + json.dumps(imports).replace("</", "<\\/") + "</script>"


def _redoc(title: str, spec_url: str, links: dict[str, _Link]) -> str:
    link = links["redoc.standalone.js"]
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{_module_import("redoc", link)}
</head>
<body>
<div id="redoc"></div>
<script type="module">
import {{ init }} from "redoc";
init({_js(spec_url)}, {{ disableTelemetry: true }}, document.getElementById("redoc"));
</script>
</body>
</html>
"""


def _rapidoc(title: str, spec_url: str, links: dict[str, _Link]) -> str:
    link = links["rapidoc-min.js"]
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<script type="module" {link.attributes()}></script>
</head>
<body>
<rapi-doc spec-url="{html.escape(spec_url, quote=True)}" load-fonts="false"
  render-style="read" show-header="false" allow-try="true"></rapi-doc>
</body>
</html>
"""


def _elements(title: str, spec_url: str, links: dict[str, _Link]) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<script {links["web-components.min.js"].attributes()}></script>
{links["styles.min.css"].stylesheet()}
</head>
<body style="height: 100vh; margin: 0">
<elements-api apiDescriptionUrl="{html.escape(spec_url, quote=True)}" router="hash"
  layout="sidebar" hideExport="true"></elements-api>
</body>
</html>
"""


_PAGES = {
    "swaggerui": _swaggerui,
    "redoc": _redoc,
    "rapidoc": _rapidoc,
    "elements": _elements,
}


def page(
    theme: Theme,
    *,
    title: str,
    spec_url: str,
    asset_url: str,
    local: dict[str, Path] | None,
) -> str:
    """The HTML page of ``theme`` for the spec at ``spec_url``.

    :param asset_url: where the app serves the theme's local files (``.../{name}``).
    :param local: the located files, or None to use the pinned CDN copies.
    """
    links = {
        asset.name: (
            _Link(f"{asset_url}/{asset.name}", None)
            if local is not None
            else _Link(asset.cdn_url, asset.integrity)
        )
        for asset in theme.assets
    }
    return _PAGES[theme.name](html.escape(title), spec_url, links)


def content_security_policy(local: dict[str, Path] | None) -> str:
    """The policy sent with a page: its code comes from the app (or the pinned CDN), and
    nothing else leaves the browser; a UI's own call-home (ReDoc's footer logo) is
    refused before any request is made."""
    code = "'self'" if local is not None else f"'self' {_CDN_ORIGIN}"
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {code} 'unsafe-inline'",
            f"style-src {code} 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'self'",
        )
    )
