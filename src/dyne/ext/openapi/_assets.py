"""Where each documentation UI's files come from: an installed package, else a pinned CDN.

The packages (the ``docs_ui`` extra) are located without being imported. When a theme's
package is missing, its page falls back to a CDN copy checked by a subresource-integrity
hash, and one log line says the page now needs the internet (``dyne.extension.PageAssets``
decides and serves; this module only lists the files).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from dyne.extension import PageAssets, PinnedAsset, package_files

__all__ = ["BUILTIN_FILES", "THEMES", "Render", "Theme", "add_theme", "theme_assets"]

logger = logging.getLogger("dyne.openapi")

_CDN = "https://cdn.jsdelivr.net/npm/"


def _file(name: str, package_path: str, cdn_url: str, integrity: str) -> tuple[PinnedAsset, str]:
    # One file: the pinned copy, and where the package keeps it (may hold one "*").
    return PinnedAsset(name, cdn_url, integrity), package_path


#: ``render(title, spec_url, links) -> html``: the page, given its escaped title, the
#: spec's URL and each file's :class:`~dyne.extension.AssetLink` by name (plus ``nonce=``
#: for a theme made with ``nonce=True``).
Render = Callable[..., str]


@dataclass(frozen=True, slots=True)
class Theme:
    """A documentation UI for ``OpenAPI(app, theme=name)``: how its page is rendered, the
    files it loads (each pinned on a CDN, and where an installed package keeps a copy),
    and that package.

    :param name: what ``theme=`` says.
    :param render: ``render(title, spec_url, links) -> html`` (see :data:`Render`).
    :param files: ``(PinnedAsset, path inside the package)`` pairs; the path may hold one
        ``*``.
    :param package: the importable package with local copies (None: always the CDN).
    :param distribution: what to ``pip install`` for them, named in the fallback warning.
    :param nonce: ``render`` also takes a ``nonce=`` keyword and writes it on each inline
        ``<script>`` (``nonce="..."``); the page's Content-Security-Policy then runs those
        and no other inline script. Without it the policy allows any inline script.
    """

    name: str
    render: Render
    files: tuple[tuple[PinnedAsset, str], ...] = ()
    package: str | None = None
    distribution: str | None = None
    nonce: bool = False

    @property
    def assets(self) -> tuple[PinnedAsset, ...]:
        """The files, in the order the page loads them."""
        return tuple(asset for asset, _ in self.files)


# The CDN copies are the npm releases whose files the packages ship (byte-identical for
# Swagger UI and ReDoc; the nearest published release for RapiDoc and Elements).
#: The built-in themes' files: name -> (package, distribution, files); their pages are
#: rendered in ``_ui``, which registers them.
BUILTIN_FILES: dict[str, tuple[str, str, tuple[tuple[PinnedAsset, str], ...]]] = {
    "swaggerui": (
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
    "redoc": (
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
    "rapidoc": (
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
    "elements": (
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


#: Every docs theme by name: the four built-in ones (registered by ``_ui``) and those
#: added with :func:`add_theme`.
THEMES: dict[str, Theme] = {}


def theme_assets(theme: Theme) -> PageAssets:
    """The theme's files: the package's copies when it is installed, else the CDN's."""
    patterns = {asset.name: path for asset, path in theme.files}
    local = package_files(theme.package, patterns) if theme.package else {}
    return PageAssets(
        theme.assets,
        local,
        logger=logger,
        what=f"The {theme.name} docs page",
        fix=f"install {theme.distribution or theme.package} for a local copy.",
    )


def add_theme(theme: Theme) -> Theme:
    """Make ``theme`` available as ``OpenAPI(app, theme=theme.name)`` and return it.

    :raises ValueError: when a theme of that name exists (the four built-in ones included).
    """
    if theme.name in THEMES and THEMES[theme.name] is not theme:
        raise ValueError(
            f"A docs theme named {theme.name!r} already exists; give yours another name."
        )
    THEMES[theme.name] = theme
    return theme
