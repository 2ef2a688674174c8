"""The types the builder works with: the JSON the document is made of, and what it reads
from the metadata decorators leave on views."""

from __future__ import annotations

from typing import Any, Protocol

from dyne.types import JSON, JSONObject

__all__ = ["JSON", "JSONObject", "RouteMeta", "SchemaSource"]


#: What the decorators recorded on a view (``dyne.extension.meta_of``): specs and
#: requirements by key, each read by attribute (``docs/internals/metadata.md``).
type RouteMeta = dict[str, Any]


class SchemaSource(Protocol):
    """What the builder asks of a schema adapter (``dyne.ext.io.SchemaAdapter`` has it):
    its JSON Schema, its Parameter Objects, whether a field is a file."""

    def json_schema(self, ref_prefix: str) -> tuple[JSONObject, dict[str, JSONObject]]:
        """(the JSON Schema of one item, the named sub-schemas it refers to)."""
        ...

    def parameters(self, location: str) -> list[JSONObject]:
        """OpenAPI Parameter Objects for ``location`` (query, header, cookie)."""
        ...

    def has_file(self) -> bool:
        """Whether the body must be multipart/form-data."""
        ...
