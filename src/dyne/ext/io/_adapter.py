"""The protocol each schema library implements so one engine can serve them all.

The OpenAPI extension uses the describing half (``name``, ``many``, ``json_schema``,
``parameters``, ``has_file``); the engine uses the working half (``load``, ``dump``,
``errors``, ``error_types``, ``wire_fields`` and the optional ``load_json``).

Both are public as ``dyne.ext.io.SchemaAdapter`` and ``dyne.ext.io.decorators``: a third
library's adapter is a class whose ``__init__`` takes the schema as the user wrote it
(raising ``TypeError`` for anything else) and which has the members below.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

__all__ = ["SchemaAdapter", "parameters_from_json_schema"]


@runtime_checkable
class SchemaAdapter(Protocol):
    """A schema of some library, seen through the handful of operations Dyne needs.

    ``decorators(AdapterClass)`` calls ``AdapterClass(schema)`` once per decorator, when
    the decorator runs, never per request. The engine reads each ``@input`` location into
    plain data (a dict of wire names: strings from a query string, headers, cookies or a
    form, a list for a field ``wire_fields`` marks as taking several values, a
    :class:`~dyne.ext.io.File` for a form's file part; whatever the body format decoded
    for a body) and passes it to ``load``; an exception of ``error_types`` becomes the
    400 ``{"errors": errors(exc)}``. ``@output`` hands ``dump`` one object or a list.

    Optionally, ``load_json(body: bytes)`` validates a JSON body straight from its bytes
    (a library's fast path); it raises ``error_types`` for data that does not fit, and
    should let the core decode a body it cannot parse (``dyne.formats.decode_json``) so
    malformed JSON gets the same 400 everywhere. Before calling it the engine checks the
    body against the core's limits (nesting past ``dyne.formats.MAX_NESTING``, lone
    surrogate escapes), unless the adapter sets ``json_limits_checked = True``: its parser
    refuses those itself (pydantic's does), which spares that scan on every request.
    """

    #: component name for OpenAPI (``"Book"``); OpenAPI makes it unique
    name: str
    #: the schema describes a list of items
    many: bool
    #: the library's validation error class(es): the engine answers them with a 400
    error_types: tuple[type[Exception], ...]

    def load(self, data: Any) -> Any:
        """Validate ``data`` (plain Python data) and return plain data: dicts for objects,
        keyed by the names the view uses (``data.x_api_key``, not the wire's ``X-API-Key``)."""
        ...

    def dump(self, obj: Any, *, many: bool = False) -> Any:
        """Serialize ``obj`` (one object, or a list when ``many``) to JSON-ready data."""
        ...

    def errors(self, exc: Exception) -> dict[str, list[str]]:
        """Flatten a validation error to ``{"dotted.path": ["message", ...]}``."""
        ...

    def json_schema(self, ref_prefix: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        """Return (the JSON Schema of one item, the named sub-schemas it refers to).

        References are written as ``ref_prefix + name`` (``"#/components/schemas/"``).
        """
        ...

    def parameters(self, location: str) -> list[dict[str, Any]]:
        """OpenAPI Parameter Objects for ``location`` (query, header, cookie), wire names."""
        ...

    def has_file(self) -> bool:
        """Whether a field is a ``FileField`` (the body is then multipart/form-data)."""
        ...

    def wire_fields(self) -> dict[str, bool]:
        """Every loadable field's name as sent on the wire → whether it takes several values."""
        ...


def parameters_from_json_schema(schema: Mapping[str, Any], location: str) -> list[dict[str, Any]]:
    """Turn an object schema's properties into OpenAPI Parameter Objects for ``location``."""
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        parameter: dict[str, Any] = {"name": name, "in": location, "required": name in required}
        description = prop.pop("description", None)
        if description:
            parameter["description"] = description
        prop.pop("title", None)
        parameter["schema"] = prop
        parameters.append(parameter)
    return parameters
