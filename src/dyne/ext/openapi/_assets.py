"""Where each documentation UI's files come from: an installed package, else a pinned CDN.

The packages (the ``docs_ui`` extra) are located without being imported. When a theme's
package is missing, its page falls back to a CDN copy checked by a subresource-integrity
hash, and one log line says the page now needs the internet.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CDN_ORIGIN", "THEMES", "Asset", "Theme", "resolve_assets"]

logger = logging.getLogger("dyne.openapi")

CDN_ORIGIN = "https://cdn.jsdelivr.net"
_CDN = CDN_ORIGIN + "/npm/"


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
