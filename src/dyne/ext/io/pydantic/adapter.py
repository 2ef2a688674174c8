"""The pydantic side of the io engine: a model seen through the SchemaAdapter protocol."""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from math import isfinite
from typing import Any

import annotated_types
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import InitErrorDetails, PydanticUndefined

from dyne import formats
from dyne.ext.io import parameters_from_json_schema
from dyne.ext.io._data import AttrDict
from dyne.ext.io._readers import MAX_ERROR_FIELDS
from dyne.ext.io.pydantic.fields import FileField

__all__ = ["PydanticAdapter"]

_MULTI_ORIGINS = (list, set, frozenset, tuple, Sequence)


class PydanticAdapter:
    """Validate with, serialize through and describe one pydantic model class."""

    error_types: tuple[type[Exception], ...] = (ValidationError,)

    def __init__(self, schema: Any) -> None:
        if isinstance(schema, BaseModel):
            schema = type(schema)
        if not (isinstance(schema, type) and issubclass(schema, BaseModel)):
            raise TypeError(
                f"Expected a pydantic model class (a BaseModel subclass), got {schema!r}; "
                "use dyne.ext.io.marshmallow for marshmallow schemas."
            )
        self.schema = schema
        self.name: str = schema.__name__
        self.many: bool = False
        self._validate = schema.model_validate
        self._one: TypeAdapter[Any] = TypeAdapter(schema)
        self._list: TypeAdapter[Any] = TypeAdapter(list[schema])
        # pydantic lets inf and nan into float fields ("inf" in a form, 1e400 in JSON):
        # numbers no JSON response can carry. Refused unless the model says otherwise.
        self._finite = "allow_inf_nan" not in schema.model_config
        # The fields whose values may hold a float, decided once (None: look everywhere).
        self._float_fields: tuple[str, ...] | None = _float_fields(schema)
        # Whether any field (nested models included) can turn a boolean into a number,
        # decided once: when none can, the boolean check has nothing to find.
        self._bool_numbers: bool = _model_may_hold_number(schema, set())
        # A boolean read as a number becomes 0 or 1: when every number the model can hold
        # is a top-level int/float field, only such a value calls for the body scan.
        self._number_fields: tuple[str, ...] | None = _plain_number_fields(schema)
        # A model of plain fields (str, int, float, bool, None, lists of those; no
        # serializer, validator, alias-keyed dump or excluded field) dumps to exactly its
        # instance's __dict__: read that instead of running the serializer, and hand the
        # view its AttrDict at once (there is no dict inside to wrap). None: not such a model.
        self._plain_size: int | None = (
            len(schema.model_fields) if _dumps_as_its_dict(schema) else None
        )

    def __repr__(self) -> str:
        return f"PydanticAdapter({self.name})"

    # -- working half ----------------------------------------------------------------

    def load(self, data: Any) -> Any:
        """Validate plain data and return it as a dict of field names.

        A float that is not finite (``inf``, ``nan``) is refused unless the model's
        config sets ``allow_inf_nan`` explicitly; a boolean where the model wants a
        number is refused (pydantic alone would read ``true`` as ``1``).
        """
        model = self._validate(data)
        loaded = model.model_dump()
        problems: list[InitErrorDetails] = []
        if self._finite and not self._finite_in(loaded):
            _find_non_finite(loaded, (), problems)
        if self._bool_numbers and _contains_bool(data):
            # pydantic's lax mode reads true as 1: a boolean is not the number the schema
            # (and the OpenAPI document) asks for.
            _find_coerced_bools(data, model.model_dump(by_alias=True), (), problems)
        if problems:
            raise ValidationError.from_exception_data(self.name, problems)
        return loaded

    #: pydantic's JSON parser refuses nesting past 200 levels and lone surrogate escapes
    #: (``json_invalid``, then answered by the core's decoder): no scan is needed first.
    json_limits_checked = True

    def load_json(self, body: bytes) -> Any:
        """Validate a JSON body straight from bytes (pydantic's fast path).

        A model of plain fields gives an ``AttrDict`` (nothing inside it to wrap), any
        other a plain dict.
        """
        try:
            # The validator and serializer model_validate_json/model_dump call, minus the
            # wrappers (looked up per call: pydantic may rebuild them).
            schema = self.schema
            model = schema.__pydantic_validator__.validate_json(body)
            plain_size = self._plain_size
            if plain_size is not None and len(model.__dict__) == plain_size:
                loaded = model.__dict__  # what to_python returns for such a model
            else:
                plain_size = None
                loaded = schema.__pydantic_serializer__.to_python(model)
        except ValidationError as exc:
            # A body pydantic cannot parse gives one error, json_invalid; the count first,
            # so a million validation errors are not all built to find that out.
            if exc.error_count() != 1 or exc.errors(include_url=False)[0]["type"] != (
                "json_invalid"
            ):
                raise
        else:
            # bytes.find: much cheaper than "in" for bytes on this hot path
            if self._finite_in(loaded) and (
                not self._bool_numbers
                or not self._maybe_from_bool(loaded)
                or (body.find(b"true") < 0 and body.find(b"false") < 0)
            ):
                return loaded if plain_size is None else AttrDict(loaded)
        # Not JSON for pydantic, a number that JSON cannot carry (pydantic's parser reads
        # NaN, Infinity and 1e400), or booleans to check: let the core decode it, so the
        # body gets the same 400 as everywhere else (and one pydantic's parser refuses but
        # the standard one reads, or "inf" in a string, is still validated).
        return self.load(formats.decode_json(body))

    def _maybe_from_bool(self, loaded: Any) -> bool:
        """Whether a number in the validated data may have been sent as a boolean."""
        names = self._number_fields
        if names is None or type(loaded) is not dict:
            return True
        for name in names:
            value = loaded.get(name)
            if value is not None and (value == 0 or value == 1):
                return True
        return False

    def _finite_in(self, loaded: Any) -> bool:
        """Whether no float in the validated data is inf or nan (the quick test)."""
        names = self._float_fields
        if names is None or type(loaded) is not dict:
            return _all_finite(loaded)
        for name in names:
            value: Any = loaded.get(name)
            kind = type(value)
            if kind is float:
                if not isfinite(value):
                    return False
            elif kind in _CONTAINERS and not _all_finite(value):
                return False
        return True

    def dump(self, obj: Any, *, many: bool = False) -> Any:
        """Serialize one object (dict, model, object with attributes) or a list of them."""
        adapter = self._list if many else self._one
        return adapter.dump_python(adapter.validate_python(obj, from_attributes=True), mode="json")

    def errors(self, exc: Exception) -> dict[str, list[str]]:
        """``{"dotted.path": [messages]}`` from a ValidationError (``_schema``: the whole)."""
        result: dict[str, list[str]] = {}
        if isinstance(exc, ValidationError):
            # Without the inputs and contexts: a million errors are built lighter (the
            # engine answers only the first MAX_ERROR_FIELDS fields anyway).
            errors = exc.errors(include_url=False, include_context=False, include_input=False)
        else:
            errors = []
        for error in errors:
            path = ".".join(str(part) for part in error["loc"]) or "_schema"
            messages = result.get(path)
            if messages is None:
                if len(result) > MAX_ERROR_FIELDS:
                    break  # enough for the engine to say there are more
                messages = result[path] = []
            messages.append(error["msg"])
        return result or {"_schema": [str(exc)]}

    def wire_fields(self) -> dict[str, bool]:
        """Each field's wire name (its alias, else its name) → whether it takes a list."""
        result = {}
        for name, field in self.schema.model_fields.items():
            alias = field.validation_alias if isinstance(field.validation_alias, str) else None
            result[alias or field.alias or name] = _is_multi(field.annotation)
        return result

    # -- describing half ---------------------------------------------------------------

    def json_schema(self, ref_prefix: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        """The model's JSON Schema and those of the models it nests (by alias)."""
        schema = self.schema.model_json_schema(ref_template=ref_prefix + "{model}")
        definitions = schema.pop("$defs", {})
        return schema, definitions

    def parameters(self, location: str) -> list[dict[str, Any]]:
        """OpenAPI parameters for ``location``, one per field, named by alias."""
        return parameters_from_json_schema(self.json_schema("#/components/schemas/")[0], location)

    def has_file(self) -> bool:
        """Whether a field (or a nested model's field) is a :class:`FileField`."""
        return _has_file(self.schema, set())


_CONTAINERS = (dict, list, tuple, set, frozenset)


_NEVER_FLOAT = (str, bytes, bool, int, type(None))


def _float_fields(model: type[BaseModel]) -> tuple[str, ...] | None:
    """The fields of ``model`` whose dumped value may contain a float; None when any key
    may (extra fields allowed, or a root model)."""
    if model.model_config.get("extra") == "allow" or "root" in model.model_fields:
        return None
    return tuple(
        name for name, field in model.model_fields.items() if _may_hold_float(field.annotation)
    )


def _may_hold_float(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _may_hold_float(args[0])
    if origin in (typing.Union, types.UnionType):
        return any(_may_hold_float(arg) for arg in args)
    if origin in (list, set, frozenset, tuple) and args:
        return any(_may_hold_float(arg) for arg in args if arg is not Ellipsis)
    return not (isinstance(annotation, type) and issubclass(annotation, _NEVER_FLOAT))


_PLAIN_SCALARS = (str, int, float, bool, type(None))


def _dumps_as_its_dict(model: type[BaseModel]) -> bool:
    """Whether a validated ``model`` instance's ``__dict__`` is what its serializer's
    ``to_python`` returns: the same keys in the same order, the same values, and no dict
    anywhere inside (so the view's AttrDict needs no nested wrapping).

    Only exact plain types qualify (a subclass or a custom type may serialize differently);
    anything that may change a value or the keys on the way out, or put a dict in,
    disqualifies: serializers, computed fields, validators, a post-init hook, excluded
    fields, extra fields, serializing by alias, a default that is not plain.
    """
    config = model.model_config
    decorators = model.__pydantic_decorators__
    if (
        "root" in model.model_fields
        or config.get("extra") == "allow"
        or config.get("serialize_by_alias")
        or getattr(model, "__pydantic_post_init__", "unknown") is not None
        or decorators.field_serializers
        or decorators.model_serializers
        or decorators.computed_fields
        or decorators.field_validators
        or decorators.model_validators
        or decorators.validators
        or decorators.root_validators
    ):
        return False
    for field in model.model_fields.values():
        if field.exclude or getattr(field, "exclude_if", None) is not None:
            return False
        if any(not isinstance(item, annotated_types.BaseMetadata) for item in field.metadata):
            return False  # a serializer or validator in the metadata
        if not _is_plain(field.annotation):
            return False
        if field.default_factory is not None:
            if field.default_factory is not list:
                return False
        elif field.default is not PydanticUndefined and not _is_plain_value(field.default):
            return False
    return True


def _is_plain(annotation: Any) -> bool:
    """``annotation`` is a plain scalar, a list of them, or a union of those."""
    if annotation in _PLAIN_SCALARS:
        return True
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return all(_is_plain(arg) for arg in args)
    if origin is list and len(args) == 1:
        element = args[0]
        if typing.get_origin(element) in (typing.Union, types.UnionType):
            return all(arg in _PLAIN_SCALARS for arg in typing.get_args(element))
        return element in _PLAIN_SCALARS
    return False


def _is_plain_value(value: Any) -> bool:
    """A default that is a plain scalar or a list of them (copied per instance by pydantic)."""
    if type(value) in _PLAIN_SCALARS:
        return True
    return type(value) is list and all(type(item) in _PLAIN_SCALARS for item in value)


def _model_may_hold_number(model: type[BaseModel], seen: set[type]) -> bool:
    """Whether a field of ``model`` (or of a model it nests) may validate to a number."""
    if model in seen:
        return False  # already being looked at, higher up
    seen.add(model)
    decorators = model.__pydantic_decorators__
    if decorators.field_validators or decorators.model_validators or decorators.validators:
        return True  # a validator may return anything
    return any(
        _may_hold_number(field.annotation, seen) or field.metadata
        for field in model.model_fields.values()
    )


_PLAIN_NUMBERS = (int, float, type(None))


def _plain_number_fields(model: type[BaseModel]) -> tuple[str, ...] | None:
    """The top-level fields annotated ``int``/``float`` (or optional), when they are the
    only places a number can be; None when one may be elsewhere (nested, in a container,
    behind a validator, an unknown type, a root model)."""
    decorators = model.__pydantic_decorators__
    if (
        "root" in model.model_fields
        or decorators.field_validators
        or decorators.model_validators
        or decorators.validators
    ):
        return None
    names = []
    for name, field in model.model_fields.items():
        if any(not isinstance(item, annotated_types.BaseMetadata) for item in field.metadata):
            return None  # a validator in the metadata may return anything
        annotation = field.annotation
        origin = typing.get_origin(annotation)
        parts = (
            typing.get_args(annotation)
            if origin in (typing.Union, types.UnionType)
            else (annotation,)
        )
        if all(part in _PLAIN_NUMBERS for part in parts):
            names.append(name)
        elif _may_hold_number(annotation, set()):
            return None
    return tuple(names)


def _may_hold_number(annotation: Any, seen: set[type]) -> bool:
    """Whether a value of ``annotation`` may be a number (True when unsure)."""
    if annotation is None or annotation is type(None):
        return False
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        # Metadata (constraints, validators) may change the value: only a bare type decides.
        return True
    if origin is typing.Literal:
        return any(type(arg) is not bool and isinstance(arg, int | float) for arg in args)
    if origin in (typing.Union, types.UnionType) or (
        origin in (list, set, frozenset, tuple, dict) and args
    ):
        return any(_may_hold_number(arg, seen) for arg in args if arg is not Ellipsis)
    if annotation in (str, bytes, bool):  # exactly: a subclass may bring its own validation
        return False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_may_hold_number(annotation, seen)
    return True


def _all_finite(value: Any) -> bool:
    """Whether no float in ``value`` (validated data: dicts, lists, scalars) is inf or nan;
    the quick test run on every validated request."""
    kind = type(value)
    if kind is float:
        return isfinite(value)
    if kind is not dict and kind not in _CONTAINERS:
        return True
    for item in value.values() if kind is dict else value:
        item_kind = type(item)
        if item_kind is float:
            if not isfinite(item):
                return False
        elif item_kind in _CONTAINERS and not _all_finite(item):
            return False
    return True


def _find_non_finite(value: Any, loc: tuple[Any, ...], out: list[InitErrorDetails]) -> None:
    # On every validated request: exact type checks, and no recursion into scalars.
    kind = type(value)
    if kind is float:
        if not isfinite(value):
            out.append({"type": "finite_number", "loc": loc, "input": value})
        return
    if kind not in _CONTAINERS:
        return
    items = value.items() if kind is dict else enumerate(value)
    for key, item in items:
        item_kind = type(item)
        if item_kind is float:
            if not isfinite(item):
                out.append({"type": "finite_number", "loc": (*loc, key), "input": item})
        elif item_kind in _CONTAINERS:
            _find_non_finite(item, (*loc, key), out)


def _contains_bool(value: Any) -> bool:
    if value is True or value is False:
        return True
    if isinstance(value, dict):
        return any(_contains_bool(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_contains_bool(item) for item in value)
    return False


def _find_coerced_bools(
    sent: Any, loaded: Any, loc: tuple[Any, ...], out: list[InitErrorDetails]
) -> None:
    """Where the client sent a boolean and validation made it a number, report it."""
    if sent is True or sent is False:
        # isinstance: an IntEnum member (or a float subclass) read from a boolean counts too
        if isinstance(loaded, int | float) and not isinstance(loaded, bool):
            kind = "int_type" if isinstance(loaded, int) else "float_type"
            out.append({"type": kind, "loc": loc, "input": sent})
    elif isinstance(sent, dict) and isinstance(loaded, dict):
        for key, item in sent.items():
            if key in loaded:
                _find_coerced_bools(item, loaded[key], (*loc, key), out)
    elif (
        isinstance(sent, list | tuple)
        and isinstance(loaded, list | tuple)
        and len(sent) == len(loaded)
    ):
        for index, (item, result) in enumerate(zip(sent, loaded, strict=True)):
            _find_coerced_bools(item, result, (*loc, index), out)


def _annotation_parts(annotation: Any) -> list[Any]:
    parts = [annotation]
    for arg in typing.get_args(annotation):
        parts.extend(_annotation_parts(arg))
    return parts


def _is_multi(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_is_multi(arg) for arg in typing.get_args(annotation) if arg is not type(None))
    if origin is typing.Annotated:
        return _is_multi(typing.get_args(annotation)[0])
    candidate = origin or annotation
    if not isinstance(candidate, type) or issubclass(candidate, str | bytes | bytearray):
        return False
    return issubclass(candidate, _MULTI_ORIGINS)


def _has_file(model: type[BaseModel], seen: set[type]) -> bool:
    seen.add(model)
    for field in model.model_fields.values():
        for part in _annotation_parts(field.annotation):
            if not isinstance(part, type):
                continue
            if issubclass(part, FileField):
                return True
            if issubclass(part, BaseModel) and part not in seen and _has_file(part, seen):
                return True
    return False
