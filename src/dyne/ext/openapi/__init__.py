"""OpenAPI documentation for a Dyne app: the spec built from the decorators' metadata,
served at ``/schema.yml`` and ``/openapi.json``, with an interactive page at ``/docs``.

Usage::

    from dyne.ext.openapi import OpenAPI

    api = OpenAPI(app, title="Book Store", version="1.0")
"""

from dyne.ext.openapi._extension import OpenAPI

__all__ = ["OpenAPI"]
