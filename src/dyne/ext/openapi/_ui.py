"""The documentation pages: Swagger UI, ReDoc, RapiDoc and Stoplight Elements.

Each page loads its JavaScript and CSS from the app itself (see ``_assets``), or from
the pinned CDN copies when a theme's package is missing.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping

from dyne.ext.openapi._assets import BUILTIN_FILES, Theme, add_theme
from dyne.extension import AssetLink, PageAssets

__all__ = ["content_security_policy", "page"]


def _js(value: str) -> str:
    # A JSON string is a JavaScript string; "</" must not end the <script> element.
    return json.dumps(value).replace("</", "<\\/")


def _document(title: str, head: str, body: str, *, body_style: str = "") -> str:
    """The HTML shell every theme shares; ``title`` is already escaped."""
    style = f' style="{body_style}"' if body_style else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{head}
</head>
<body{style}>
{body}
</body>
</html>
"""


def _nonce(nonce: str) -> str:
    return f'nonce="{html.escape(nonce, quote=True)}"'


def _swaggerui(title: str, spec_url: str, links: Mapping[str, AssetLink], *, nonce: str) -> str:
    body = f"""<div id="swagger-ui"></div>
<script {links["swagger-ui-bundle.js"].attributes()}></script>
<script {_nonce(nonce)}>
window.ui = SwaggerUIBundle({{
  url: {_js(spec_url)},
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
}});
</script>"""
    return _document(title, links["swagger-ui.css"].stylesheet(), body)


def _module_import(name: str, link: AssetLink, nonce: str) -> str:
    # ReDoc 3 and RapiDoc 11 are ES modules; an import map carries the integrity hash.
    imports: dict[str, object] = {"imports": {name: link.url}}
    if link.integrity is not None:
        imports["integrity"] = {link.url: link.integrity}
    code = json.dumps(imports).replace("</", "<\\/")
    return f'<script type="importmap" {_nonce(nonce)}>{code}</script>'


def _redoc(title: str, spec_url: str, links: Mapping[str, AssetLink], *, nonce: str) -> str:
    body = f"""<div id="redoc"></div>
<script type="module" {_nonce(nonce)}>
import {{ init }} from "redoc";
init({_js(spec_url)}, {{ disableTelemetry: true }}, document.getElementById("redoc"));
</script>"""
    return _document(title, _module_import("redoc", links["redoc.standalone.js"], nonce), body)


def _rapidoc(title: str, spec_url: str, links: Mapping[str, AssetLink], *, nonce: str) -> str:
    # No inline script: the nonce has nothing to mark.
    head = f'<script type="module" {links["rapidoc-min.js"].attributes()}></script>'
    body = f"""<rapi-doc spec-url="{html.escape(spec_url, quote=True)}" load-fonts="false"
  render-style="read" show-header="false" allow-try="true"></rapi-doc>"""
    return _document(title, head, body)


def _elements(title: str, spec_url: str, links: Mapping[str, AssetLink], *, nonce: str) -> str:
    # No inline script: the nonce has nothing to mark.
    head = (
        f"<script {links['web-components.min.js'].attributes()}></script>\n"
        + links["styles.min.css"].stylesheet()
    )
    body = f"""<elements-api apiDescriptionUrl="{html.escape(spec_url, quote=True)}" router="hash"
  layout="sidebar" hideExport="true"></elements-api>"""
    return _document(title, head, body, body_style="height: 100vh; margin: 0")


for _name, _render in {
    "swaggerui": _swaggerui,
    "redoc": _redoc,
    "rapidoc": _rapidoc,
    "elements": _elements,
}.items():
    _package, _distribution, _files = BUILTIN_FILES[_name]
    add_theme(
        Theme(
            _name,
            _render,
            _files,
            _package,
            f'{_distribution} (pip install "dyne[docs_ui]")',
            nonce=True,
        )
    )


def page(
    theme: Theme,
    *,
    title: str,
    spec_url: str,
    asset_url: str,
    assets: PageAssets,
    nonce: str | None = None,
) -> str:
    """The HTML page of ``theme`` for the spec at ``spec_url``.

    :param asset_url: where the app serves the theme's local files (``.../{name}``).
    :param assets: the theme's files, local or from the CDN.
    :param nonce: this response's script nonce, for a theme made with ``nonce=True``.
    """
    links = {
        asset.name: assets.link(asset.name, f"{asset_url}/{asset.name}") for asset in theme.assets
    }
    if theme.nonce and nonce is not None:
        return theme.render(html.escape(title), spec_url, links, nonce=nonce)
    return theme.render(html.escape(title), spec_url, links)


def content_security_policy(assets: PageAssets, nonce: str | None = None) -> str:
    """The policy sent with a page: its code comes from the app (or the pinned CDN), and
    nothing else leaves the browser; a UI's own call-home (ReDoc's footer logo) is
    refused before any request is made. With ``nonce``, only the inline scripts marked
    with it run (anything injected into the page does not); without, any inline script."""
    code = assets.sources
    inline = f"'nonce-{nonce}'" if nonce is not None else "'unsafe-inline'"
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {code} {inline}",
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
