"""Build hook: put GraphiQL's JavaScript and CSS into the package when a wheel is built.

The files are third-party code, so they are fetched (``npm pack``, sha384-checked) at
build time instead of being committed; see ``src/dyne/ext/graphql/assets.py``. A build
without npm or without a network still succeeds: the GraphiQL page then falls back to a
CDN. Set ``DYNE_SKIP_GRAPHIQL_ASSETS=1`` to skip the download on purpose.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ASSETS_MODULE = Path("src/dyne/ext/graphql/assets.py")


def _load_assets(root: str) -> Any:
    # Loaded by path: the package itself is not importable while it is being built.
    spec = importlib.util.spec_from_file_location(
        "_dyne_graphiql_assets", Path(root) / ASSETS_MODULE
    )
    if spec is None or spec.loader is None:
        raise RuntimeError(f"Cannot load {ASSETS_MODULE}.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


class GraphiQLAssetsHook(BuildHookInterface):
    """Fetch the GraphiQL assets and ship them in the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Fetch missing assets into the source tree and include them in the wheel."""
        assets = _load_assets(self.root)
        folder = Path(self.root) / ASSETS_MODULE.parent / "static"
        if os.environ.get("DYNE_SKIP_GRAPHIQL_ASSETS", "").lower() not in ("1", "true", "yes"):
            try:
                assets.fetch(folder)
            except Exception as exc:  # a missing npm or network must not break installs
                self.app.display_warning(
                    f"GraphiQL assets not fetched ({exc}); the page will use a CDN instead."
                )
        if version == "editable":
            return  # the source tree is on sys.path: the files are already in place
        for asset in assets.MANIFEST:
            path = folder / asset.name
            if path.is_file():
                build_data["force_include"][str(path)] = f"dyne/ext/graphql/static/{asset.name}"
