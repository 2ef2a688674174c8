"""A fourth-party docs theme: a plain page listing the operations, with no script at all."""

from __future__ import annotations

import html
from collections.abc import Mapping

from dyne.ext.openapi import Theme, add_theme
from dyne.extension import AssetLink


def _render(title: str, spec_url: str, links: Mapping[str, AssetLink]) -> str:
    url = html.escape(spec_url, quote=True)
    return (
        f"<!doctype html><html><head><title>{title}</title></head>"
        f'<body><h1>{title}</h1><p><a href="{url}">The OpenAPI document</a></p></body></html>'
    )


PLAIN_THEME = add_theme(Theme("plain", _render))
