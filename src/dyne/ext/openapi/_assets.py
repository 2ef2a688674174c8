"""Where each documentation UI's files come from: an installed package, else a pinned CDN.

The packages (the ``docs_ui`` extra) are located without being imported. When a theme's
package is missing, its page falls back to a CDN copy checked by a subresource-integrity
hash, and one log line says the page now needs the internet (``dyne.extension.PageAssets``
decides and serves; this module only lists the files).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from dyne.extension import PageAssets, PinnedAsset, package_files

__all__ = ["THEMES", "Theme", "theme_assets"]

logger = logging.getLogger("dyne.openapi")

_CDN = "https://cdn.jsdelivr.net/npm/"


def _file(name: str, package_path: str, cdn_url: str, integrity: str) -> tuple[PinnedAsset, str]:
    # One file: the pinned copy, and where the package keeps it (may hold one "*").
    return PinnedAsset(name, cdn_url, integrity), package_path


@dataclass(frozen=True, slots=True)
class Theme:
    """A documentation UI: the package shipping it, and the files its page loads."""

    name: str
    package: str
    distribution: str
    files: tuple[tuple[PinnedAsset, str], ...]

    @property
    def assets(self) -> tuple[PinnedAsset, ...]:
        """The files, in the order the page loads them."""
        return tuple(asset for asset, _ in self.files)


# The CDN copies are the npm releases whose files the packages ship (byte-identical for
# Swagger UI and ReDoc; the nearest published release for RapiDoc and Elements).
THEMES: dict[str, Theme] = {
    "swaggerui": Theme(
        "swaggerui",
        "swagger_ui_bundle",
        "swagger-ui-bundle-v2",
        (
            _file(
                "swagger-ui-bundle.js",
                "vendor/swagger-ui-*/swagger-ui-bundle.js",
                _CDN + "swagger-ui-dist@5.31.0/swagger-ui-bundle.js",
                "sha384-cxafBeQ+zYROeFafGFxtFbnp1ICqeS9mG7+f0WWSHzhnrUvwg9Za5CCw6wgrHA7K",
            ),
            _file(
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
            _file(
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
            _file(
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
            _file(
                "web-components.min.js",
                "templates/elements/js/web-components.min.js",
                _CDN + "@stoplight/elements@9.0.25/web-components.min.js",
                "sha384-X5kH2B8aH81JEl8IfSBwwnr8FYcCqMzdxpqjmmlRbhIl7SsQ9Zn0xk+csQmU37zN",
            ),
            _file(
                "styles.min.css",
                "templates/elements/css/styles.min.css",
                _CDN + "@stoplight/elements@9.0.25/styles.min.css",
                "sha384-NzdOiocfnINlXfuCXi4OpL/xvdbgLiKaLHQ07Z+IwhVaxHqLShn5rVD5OHt/LYgz",
            ),
        ),
    ),
}


def theme_assets(theme: Theme) -> PageAssets:
    """The theme's files: the package's copies when it is installed, else the CDN's."""
    local = package_files(theme.package, {asset.name: path for asset, path in theme.files})
    return PageAssets(
        theme.assets,
        local,
        logger=logger,
        what=f"The {theme.name} docs page",
        fix=f'install {theme.distribution} with: pip install "dyne[docs_ui]"',
    )
