"""Validation, serialization and uploads: ``@input``, ``@output``, ``@expect``, ``@webhook``.

Import the decorators for your schema library from ``dyne.ext.io.pydantic`` or
``dyne.ext.io.marshmallow``; :class:`File` is what a ``FileField`` hands your view.
"""

from dyne.ext.io.files import File

__all__ = ["File"]
