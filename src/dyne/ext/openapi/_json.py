"""The types the builder works with: the JSON the document is made of, and what it reads
from the metadata decorators leave on views."""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["JSON", "JSONObject", "RouteMeta", "SchemaSource"]

#: A JSON value: a dict, list, str, int, float, bool or None. It stays ``Any`` on purpose:
#: the builder reads and writes nested fragments by key (``op["responses"]["200"]``), and a
#: union would need a check at every step; the name says what the data is.
type JSON = Any
#: A JSON object: the document and each of its parts (Operation, Schema, Parameter, ...).
type JSONObject = dict[str, JSON]

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
