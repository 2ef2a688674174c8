"""A ``{name:slug}`` path converter: lower-case words joined by hyphens."""

from __future__ import annotations

from dyne.extension import Converter, add_path_converter

SLUG = Converter(r"[a-z0-9]+(?:-[a-z0-9]+)*", str)


def install_slug() -> None:
    """Make ``{name:slug}`` available in route paths (process-wide, idempotent)."""
    add_path_converter("slug", SLUG)
