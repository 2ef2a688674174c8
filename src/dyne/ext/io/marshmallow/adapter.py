"""The marshmallow side of the io engine: a schema seen through the SchemaAdapter protocol."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from dyne.ext.io import parameters_from_json_schema
from dyne.ext.io._readers import MAX_ERROR_FIELDS
from dyne.ext.io.marshmallow.fields import FileField
from dyne.extension import require

__all__ = ["MarshmallowAdapter"]

_COMPONENTS = "#/components/schemas/"


class MarshmallowAdapter:
    """Validate with, serialize through and describe one marshmallow schema.

    A schema class is instantiated once, here; an instance (``BookSchema(many=True)``) is
    used as given.
    """

    error_types: tuple[type[Exception], ...] = (ValidationError,)

    def __init__(self, schema: Any) -> None:
        if isinstance(schema, type) and issubclass(schema, Schema):
            schema = schema()
        if not isinstance(schema, Schema):
            raise TypeError(
                f"Expected a marshmallow Schema class or instance, got {schema!r}; "
                "use dyne.ext.io.pydantic for pydantic models."
            )
        self.schema = schema
        self.many: bool = bool(schema.many)
        name = type(schema).__name__
        self.name: str = name.removesuffix("Schema") or name

    def __repr__(self) -> str:
        return f"MarshmallowAdapter({type(self.schema).__name__})"

    # -- working half ----------------------------------------------------------------

    def load(self, data: Any) -> Any:
        """Validate plain data and return what the schema loads (a dict, unless a
        ``post_load`` hook builds something else)."""
        return self.schema.load(data)

    def dump(self, obj: Any, *, many: bool = False) -> Any:
        """Serialize one object (dict or object with attributes) or a list of them."""
        return self.schema.dump(obj, many=many or self.many)

    def errors(self, exc: Exception) -> dict[str, list[str]]:
        """``{"dotted.path": [messages]}`` from a ValidationError (``_schema``: the whole)."""
        result: dict[str, list[str]] = {}
        messages = exc.messages if isinstance(exc, ValidationError) else str(exc)
        _flatten(messages, "", result)
        return result

    def wire_fields(self) -> dict[str, bool]:
        """Each loadable field's wire name (``data_key``, else its name) → takes a list."""
        return {
            field.data_key or name: isinstance(field, fields.List | fields.Tuple)
            for name, field in self.schema.load_fields.items()
        }

    # -- describing half ---------------------------------------------------------------

    def json_schema(self, ref_prefix: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        """The schema's JSON Schema (through apispec) and those of the schemas it nests."""
        require("apispec", "openapi_marshmallow")
        from apispec import APISpec
        from apispec.ext.marshmallow import MarshmallowPlugin

        plugin = MarshmallowPlugin()
        spec = APISpec(title=self.name, version="1", openapi_version="3.1.0", plugins=[plugin])
        plugin.map_to_openapi_type(FileField, "string", "binary")
        plugin.converter.add_attribute_function(_exclusive_bounds)  # type: ignore[union-attr]
        schema = type(self.schema) if self.many else self.schema
        spec.components.schema(self.name, schema=schema)
        components = _rewrite_refs(spec.to_dict()["components"]["schemas"], ref_prefix)
        own = components.pop(self.name)
        return own, components

    def parameters(self, location: str) -> list[dict[str, Any]]:
        """OpenAPI parameters for ``location``, one per field, named by ``data_key``."""
        return parameters_from_json_schema(self.json_schema(_COMPONENTS)[0], location)

    def has_file(self) -> bool:
        """Whether a field (or a nested schema's field) is a :class:`FileField`."""
        return _has_file(self.schema, set())


def _exclusive_bounds(converter: Any, field: Any, ret: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Keep ``Range(min_inclusive=False)``/``max_inclusive=False`` (apispec drops them) in
    the 3.1 numeric form; the OpenAPI dialect turns it into 3.0's boolean form."""
    bounds: dict[str, Any] = {}
    for validator in getattr(field, "validators", ()):
        if not isinstance(validator, validate.Range):
            continue
        for value, inclusive, key, plain in (
            (validator.min, validator.min_inclusive, "exclusiveMinimum", "minimum"),
            (validator.max, validator.max_inclusive, "exclusiveMaximum", "maximum"),
        ):
            if value is None or inclusive:
                continue
            if ret.get(plain) == value:
                ret.pop(plain)  # the same bound, now exclusive
            bounds[key] = value
    return bounds


def _flatten(messages: Any, prefix: str, out: dict[str, list[str]]) -> None:
    if isinstance(messages, dict):
        for key, value in messages.items():
            if len(out) > MAX_ERROR_FIELDS:
                return  # enough for the engine to say there are more
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(messages, list | tuple):
        for message in messages:
            if isinstance(message, dict | list | tuple):
                _flatten(message, prefix, out)
            else:
                out.setdefault(prefix or "_schema", []).append(str(message))
    else:
        out.setdefault(prefix or "_schema", []).append(str(messages))


def _rewrite_refs(value: Any, ref_prefix: str) -> Any:
    if isinstance(value, dict):
        return {
            key: (
                ref_prefix + item.removeprefix(_COMPONENTS)
                if key == "$ref" and isinstance(item, str)
                else _rewrite_refs(item, ref_prefix)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_rewrite_refs(item, ref_prefix) for item in value]
    return value


def _field_has_file(field: Any, seen: set[int]) -> bool:
    if isinstance(field, FileField):
        return True
    if isinstance(field, fields.List):
        return _field_has_file(field.inner, seen)
    if isinstance(field, fields.Tuple):
        return any(_field_has_file(inner, seen) for inner in field.tuple_fields)
    if isinstance(field, fields.Nested):
        nested = field.schema
        return isinstance(nested, Schema) and _has_file(nested, seen)
    return False


def _has_file(schema: Schema, seen: set[int]) -> bool:
    if id(type(schema)) in seen:
        return False
    seen.add(id(type(schema)))
    return any(_field_has_file(field, seen) for field in schema.load_fields.values())
