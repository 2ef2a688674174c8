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

from dyne.extension import PageAssets, PinnedAsset
from dyne.response import Response

__all__ = ["ASSET_PARAM", "GraphiQLPage"]

logger = logging.getLogger("dyne.graphql")

#: the query parameter that names an asset
ASSET_PARAM = "graphiql-asset"

_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


class GraphiQLPage:
    """The page and its files for one view; where the files come from is decided once."""

    def __init__(self) -> None:
        # Imported here so that `python -m dyne.ext.graphql.assets` finds it not yet loaded.
        from dyne.ext.graphql import assets

        folder = assets.asset_dir()
        # Only a file whose content matches its pinned digest is served from the app.
        local = {
            asset.name: folder / asset.name
            for asset in assets.MANIFEST
            if assets.read(asset, folder) is not None
        }
        self.assets = PageAssets(
            [PinnedAsset(a.name, a.cdn_url, a.integrity) for a in assets.MANIFEST],
            local,
            logger=logger,
            what="The GraphiQL page",
            fix="run `python -m dyne.ext.graphql.assets` to serve them from the app.",
        )
        self.local = self.assets.local

    def serve(self, resp: Response, name: str) -> bool:
        """Send the app's copy of the file ``name``; False when there is none."""
        return self.assets.serve(resp, name)

    def new_nonce(self) -> str:
        """A fresh nonce for one response's inline script."""
        return secrets.token_urlsafe(18)

    def policy(self, nonce: str) -> str:
        """The Content-Security-Policy for a page rendered with ``nonce``."""
        sources = self.assets.sources
        # Styles stay 'unsafe-inline': GraphiQL adds <style> elements at run time, and
        # inline CSS cannot run code.
        return (
            f"default-src 'none'; script-src {sources} 'nonce-{nonce}'; "
            f"style-src {sources} 'unsafe-inline'; connect-src 'self'; "
            "img-src 'self' data:; font-src 'self' data:; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'"
        )

    def render(self, path: str, nonce: str) -> str:
        """The HTML page for the view answering at ``path``, its inline script under ``nonce``."""
        links, scripts = [], []
        for asset in self.assets.assets:
            link = self.assets.link(asset.name, f"{path}?{ASSET_PARAM}={asset.name}")
            if asset.name.endswith(".css"):
                links.append(link.stylesheet())
            else:
                scripts.append(link.script())
        # json.dumps quotes the URL for JavaScript; with <, > and & escaped too, neither
        # "</script" nor "<!--" can change how the HTML parser reads the script element.
        endpoint = json.dumps(path).translate(_SCRIPT_SAFE)
        return _PAGE.format(
            links="\n    ".join(links),
            scripts="\n    ".join(scripts),
            endpoint=endpoint,
            nonce=html.escape(nonce, quote=True),
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
