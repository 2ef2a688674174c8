"""A ``{name:slug}`` path converter: lower-case words joined by hyphens."""

from __future__ import annotations

from dyne import App
from dyne.extension import Converter, add_path_converter

SLUG = Converter(r"[a-z0-9]+(?:-[a-z0-9]+)*", str)


def install_slug(app: App) -> None:
    """Make ``{name:slug}`` available in ``app``'s route paths."""
    add_path_converter(app, "slug", SLUG)
