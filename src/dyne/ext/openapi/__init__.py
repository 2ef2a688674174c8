"""OpenAPI documentation for a Dyne app: the spec built from the decorators' metadata,
served at ``/schema.yml`` and ``/openapi.json``, with an interactive page at ``/docs``.

Usage::

    from dyne.ext.openapi import OpenAPI

    api = OpenAPI(app, title="Book Store", version="1.0")

A docs theme of your own: ``add_theme(Theme(name, render, files, package))`` (see
``docs/extending.md``), then ``OpenAPI(app, theme=name)``.
"""

from dyne.ext.openapi._assets import Theme, add_theme
from dyne.ext.openapi._extension import OpenAPI

__all__ = ["OpenAPI", "Theme", "add_theme"]
