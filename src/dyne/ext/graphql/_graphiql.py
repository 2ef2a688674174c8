"""The GraphiQL page and its files, served by the GraphQL view itself.

The page asks for its JavaScript and CSS at ``<view path>?graphiql-asset=<name>``, so it
works wherever the view is routed or mounted, with no other route to register. When the
files were not fetched (see :mod:`dyne.ext.graphql.assets`), the page loads them from a
CDN with subresource-integrity hashes instead, and Dyne logs that once.

The page is sent with a Content-Security-Policy: scripts only from the app (or the pinned
CDN) plus the page's own inline script, which carries a fresh nonce per response; requests
only to the app; no framing, no forms, no ``<base>``.
"""

from __future__ import annotations

import html
import json
import logging
import secrets

__all__ = ["ASSET_PARAM", "GraphiQLPage"]

logger = logging.getLogger("dyne.graphql")

#: the query parameter that names an asset
ASSET_PARAM = "graphiql-asset"

_CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
_CDN_ORIGIN = "https://cdn.jsdelivr.net"
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})
_warned = False


class GraphiQLPage:
    """The page and its files for one view; where the files come from is decided once."""

    def __init__(self) -> None:
        # Imported here so that `python -m dyne.ext.graphql.assets` finds it not yet loaded.
        from dyne.ext.graphql import assets

        self._manifest = assets.MANIFEST
        folder = assets.asset_dir()
        self._bodies: dict[str, bytes] = {}
        for asset in assets.MANIFEST:
            data = assets.read(asset, folder)
            if data is None:
                break
            self._bodies[asset.name] = data
        else:
            self.local = True
            return
        self.local = False
        self._bodies.clear()
        _warn_once([asset.name for asset in assets.missing(folder)])

    def asset(self, name: str) -> tuple[bytes, str] | None:
        """``(content, content type)`` of a local asset, or None when there is no such file."""
        data = self._bodies.get(name)
        if data is None:
            return None
        return data, _CONTENT_TYPES[name[name.rfind(".") :]]

    def new_nonce(self) -> str:
        """A fresh nonce for one response's inline script."""
        return secrets.token_urlsafe(18)

    def policy(self, nonce: str) -> str:
        """The Content-Security-Policy for a page rendered with ``nonce``."""
        cdn = "" if self.local else f" {_CDN_ORIGIN}"
        # Styles stay 'unsafe-inline': GraphiQL adds <style> elements at run time, and
        # inline CSS cannot run code.
        return (
            f"default-src 'none'; script-src 'self' 'nonce-{nonce}'{cdn}; "
            f"style-src 'self' 'unsafe-inline'{cdn}; connect-src 'self'; "
            "img-src 'self' data:; font-src 'self' data:; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'"
        )

    def render(self, path: str, nonce: str) -> str:
        """The HTML page for the view answering at ``path``, its inline script under ``nonce``."""
        links, scripts = [], []
        for asset in self._manifest:
            if self.local:
                url = html.escape(f"{path}?{ASSET_PARAM}={asset.name}", quote=True)
                extra = ""
            else:
                url = html.escape(asset.cdn_url, quote=True)
                extra = f' integrity="{asset.integrity}" crossorigin="anonymous"'
            if asset.name.endswith(".css"):
                links.append(f'<link rel="stylesheet" href="{url}"{extra}>')
            else:
                scripts.append(f'<script src="{url}"{extra}></script>')
        # json.dumps quotes the URL for JavaScript; with <, > and & escaped too, neither
        # "</script" nor "<!--" can change how the HTML parser reads the script element.
        endpoint = json.dumps(path).translate(_SCRIPT_SAFE)
        return _PAGE.format(
            links="\n    ".join(links),
            scripts="\n    ".join(scripts),
            endpoint=endpoint,
            nonce=html.escape(nonce, quote=True),
        )


def _warn_once(names: list[str]) -> None:
    global _warned
    if _warned:
        return
    _warned = True
    logger.warning(
        "GraphiQL's files are not installed (%s); the page loads them from a CDN. "
        "Run `python -m dyne.ext.graphql.assets` to serve them from the app.",
        ", ".join(names),
    )


_PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>GraphiQL</title>
    <style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}</style>
    {links}
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    {scripts}
    <script nonce="{nonce}">
      const fetcher = GraphiQL.createFetcher({{ url: {endpoint} }});
      const explorer = GraphiQLPluginExplorer.explorerPlugin();
      ReactDOM.createRoot(document.getElementById("graphiql")).render(
        React.createElement(GraphiQL, {{
          fetcher,
          plugins: [explorer],
          defaultEditorToolsVisibility: true,
        }}),
      );
    </script>
  </body>
</html>
"""
