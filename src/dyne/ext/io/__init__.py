"""Validation, serialization and uploads: ``@input``, ``@output``, ``@expect``, ``@webhook``.

Import the decorators for your schema library from ``dyne.ext.io.pydantic`` or
``dyne.ext.io.marshmallow``; :class:`File` is what a ``FileField`` hands your view.

Another schema library plugs in through the same seam: write a class that follows
:class:`SchemaAdapter` and call :func:`decorators` with it to get the four decorators, with
the same locations, error bodies and OpenAPI description as the built-in two
(``docs/extending.md`` walks through a msgspec adapter).
"""

from dyne.ext.io._adapter import SchemaAdapter, parameters_from_json_schema
from dyne.ext.io._engine import decorators
from dyne.ext.io.files import File

__all__ = ["File", "SchemaAdapter", "decorators", "parameters_from_json_schema"]
