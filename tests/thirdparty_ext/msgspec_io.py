"""``@input``, ``@output``, ``@expect`` and ``@webhook`` for msgspec ``Struct`` types.

A validation adapter for a schema library Dyne does not ship, built on the public seam
(``dyne.ext.io.SchemaAdapter`` and ``dyne.ext.io.decorators``): the same locations, the
same 400 body (``{"errors": {"dotted.path": ["message"]}}``) and the same OpenAPI
description as the pydantic and marshmallow decorators.

msgspec stops at the first problem, so a 400 names one field where pydantic names them all.
Floats that are not finite (``inf``, ``nan``, ``1e400``) are refused: no JSON response
could carry them back. Uploads are declared with :func:`FileField`.
"""

from __future__ import annotations

import math
import re
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec

from dyne import formats
from dyne.ext.io import File, decorators, parameters_from_json_schema
from dyne.ext.io.files import (
    FileCheckError,
    as_file,
    normalize_extensions,
    validate_extension,
    validate_filename,
    validate_size,
)

__all__ = ["FileField", "MsgspecAdapter", "expect", "input", "output", "webhook"]

_COMPONENTS = "#/components/schemas/"
# msgspec writes where a problem is as a suffix of the message: "... - at `$.a[0].b`".
_AT = re.compile(r"^(?P<message>.*) - at `\$(?P<path>.*)`$", re.DOTALL)
_STEP = re.compile(r"\.([^.\[]+)|\[([^\]]*)\]")
# A missing or unknown field is named in the message, not in the path.
_NAMED_FIELD = re.compile(r"^Object (?:missing required|contains unknown) field `(.+)`$")
_MULTI = (list, set, frozenset, tuple)


@dataclass(frozen=True, slots=True)
class _FileRules:
    max_size: int | None
    allowed_extensions: frozenset[str] | None
    sanitize_filename: bool

    def check(self, file: File) -> None:
        validate_filename(file, self.sanitize_filename)
        validate_size(file, self.max_size)
        validate_extension(file, self.allowed_extensions)


def FileField(
    *,
    max_size: int | None = None,
    allowed_extensions: Iterable[str] | None = None,
    sanitize_filename: bool = False,
) -> Any:
    """An uploaded file, as a Struct field's type: ``image: Image`` after
    ``Image = FileField(max_size=1024, allowed_extensions={"png"})``.

    The view receives a :class:`~dyne.ext.io.File`. The checks are the built-in
    ``FileField``'s: a safe filename (or a sanitized one), not empty, at most ``max_size``
    bytes, an allowed extension.
    """
    rules = _FileRules(max_size, normalize_extensions(allowed_extensions), sanitize_filename)
    return Annotated[
        File,
        msgspec.Meta(
            extra_json_schema={"type": "string", "format": "binary"},
            extra={"dyne_file": rules},
        ),
    ]


def _decode_hook(kind: type, value: Any) -> Any:
    """msgspec asks here for the types it does not know: only :class:`File` is one."""
    if kind is object:
        return value
    if kind is File:
        file = as_file(value)
        if file is None:
            raise ValueError(
                f"Expected an uploaded file (a multipart/form-data file part), "
                f"got {type(value).__name__}"
            )
        return file
    # MsgspecAdapter refuses Structs with other custom types when the decorator runs.
    raise TypeError(f"Expected {kind.__name__}")


class MsgspecAdapter:
    """Validate with, serialize through and describe one ``msgspec.Struct`` type."""

    error_types: tuple[type[Exception], ...] = (msgspec.ValidationError,)

    def __init__(self, schema: Any) -> None:
        if isinstance(schema, msgspec.Struct):
            schema = type(schema)
        if not (isinstance(schema, type) and issubclass(schema, msgspec.Struct)):
            raise TypeError(f"Expected a msgspec Struct type, got {schema!r}.")
        self.schema = schema
        self.name: str = schema.__name__
        self.many: bool = False
        self._info = msgspec.inspect.type_info(schema)
        custom: set[type] = set()
        _custom_classes(self._info, set(), custom)
        unknown = custom - {File, object}  # object: any value, as msgspec reads it
        if unknown:
            names = ", ".join(sorted(kind.__name__ for kind in unknown))
            raise TypeError(
                f"{self.name} has fields of types msgspec cannot validate by itself ({names}); "
                "msgspec_io reads msgspec's own types and FileField uploads."
            )
        self._has_file = File in custom
        self._json = msgspec.json.Decoder(schema, strict=False, dec_hook=_decode_hook)

    def __repr__(self) -> str:
        return f"MsgspecAdapter({self.name})"

    # -- working half ----------------------------------------------------------------

    def load(self, data: Any) -> Any:
        """Validate plain data (strings from a query or a form are converted: lax mode) and
        return it as dicts keyed by attribute name."""
        struct = msgspec.convert(data, self.schema, strict=False, dec_hook=_decode_hook)
        return self._checked(struct)

    def load_json(self, body: bytes) -> Any:
        """Validate a JSON body straight from its bytes; a body msgspec cannot parse goes
        to the core's JSON decoder, which answers it with the usual 400."""
        try:
            struct = self._json.decode(body)
        except msgspec.ValidationError:
            raise
        except msgspec.DecodeError:
            return self.load(formats.decode_json(body))
        return self._checked(struct)

    def _checked(self, struct: Any) -> Any:
        problem = _non_finite(struct, "")
        if problem is not None:
            raise msgspec.ValidationError(f"Expected a finite number - at `${problem}`")
        if self._has_file:
            _check_files(self._info, struct, "")
        return _plain(struct)

    def dump(self, obj: Any, *, many: bool = False) -> Any:
        """Serialize one object (a dict, a Struct, any object with attributes) or a list."""
        kind: Any = list[self.schema] if many else self.schema
        return msgspec.to_builtins(msgspec.convert(obj, kind, from_attributes=True))

    def errors(self, exc: Exception) -> dict[str, list[str]]:
        """``{"dotted.path": [message]}`` from a ValidationError (``_schema``: the whole)."""
        text = str(exc)
        steps: list[str] = []
        match = _AT.match(text)
        if match is not None:
            text = match["message"]
            steps = [name or index for name, index in _STEP.findall(match["path"])]
        named = _NAMED_FIELD.match(text)
        if named is not None:
            steps.append(named.group(1))
        return {".".join(steps) or "_schema": [text]}

    def wire_fields(self) -> dict[str, bool]:
        """Each field's wire name (``field(name=...)``, else its name) → takes a list."""
        fields = msgspec.structs.fields(self.schema)
        return {field.encode_name: _is_multi(field.type) for field in fields}

    # -- describing half ---------------------------------------------------------------

    def json_schema(self, ref_prefix: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        """The Struct's JSON Schema and those of the Structs it refers to."""
        _, components = msgspec.json.schema_components(
            [self.schema], ref_template=ref_prefix + "{name}"
        )
        own = components.pop(self.name)
        return own, components

    def parameters(self, location: str) -> list[dict[str, Any]]:
        """OpenAPI parameters for ``location``, one per field, named as on the wire."""
        return parameters_from_json_schema(self.json_schema(_COMPONENTS)[0], location)

    def has_file(self) -> bool:
        """Whether a field (or a nested Struct's field) is a :func:`FileField`."""
        return self._has_file


input, output, expect, webhook = decorators(MsgspecAdapter)


def _plain(value: Any) -> Any:
    """Structs become dicts keyed by attribute name (the view's ``data.x``), all the way
    down; unset optional fields are left out."""
    if isinstance(value, msgspec.Struct):
        result = {}
        for name in value.__struct_fields__:
            item = getattr(value, name)
            if item is not msgspec.UNSET:
                result[name] = _plain(item)
        return result
    if type(value) is list:
        return [_plain(item) for item in value]
    if type(value) is tuple:
        return tuple(_plain(item) for item in value)
    if type(value) is dict:
        return {key: _plain(item) for key, item in value.items()}
    return value


def _non_finite(value: Any, path: str) -> str | None:
    """The msgspec-style path of the first float that is inf or nan, else None."""
    if type(value) is float:
        return None if math.isfinite(value) else path
    if isinstance(value, msgspec.Struct):
        fields = msgspec.structs.fields(value)
        items: Iterable[tuple[str, Any]] = (
            (f".{field.encode_name}", getattr(value, field.name)) for field in fields
        )
    elif isinstance(value, dict):
        items = ((f"[{key}]", item) for key, item in value.items())
    elif isinstance(value, list | tuple | set | frozenset):
        items = ((f"[{index}]", item) for index, item in enumerate(value))
    else:
        return None
    for step, item in items:
        found = _non_finite(item, path + step)
        if found is not None:
            return found
    return None


def _is_multi(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _is_multi(typing.get_args(annotation)[0])
    if origin in (typing.Union, type(int | None)):
        return any(_is_multi(arg) for arg in typing.get_args(annotation))
    candidate = origin or annotation
    return isinstance(candidate, type) and issubclass(candidate, _MULTI)


def _children(info: Any) -> list[Any]:
    """The types a ``msgspec.inspect`` type is made of (fields, items, union members)."""
    found: list[Any] = []
    for name in type(info).__struct_fields__:
        value = getattr(info, name)
        if isinstance(value, msgspec.inspect.Type):
            found.append(value)
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, msgspec.inspect.Field):
                    found.append(item.type)
                elif isinstance(item, msgspec.inspect.Type):
                    found.append(item)
    return found


def _custom_classes(info: Any, seen: set[type], out: set[type]) -> None:
    """Collect the custom (non-msgspec) classes the type refers to, nested Structs too."""
    if isinstance(info, msgspec.inspect.CustomType):
        out.add(info.cls)
        return
    if isinstance(info, msgspec.inspect.StructType):
        if info.cls in seen:
            return
        seen.add(info.cls)
    for child in _children(info):
        _custom_classes(child, seen, out)


def _check_files(info: Any, value: Any, path: str) -> None:
    """Run each FileField's checks on the files ``value`` holds, walking the type and the
    value together."""
    if isinstance(info, msgspec.inspect.Metadata):
        rules = (info.extra or {}).get("dyne_file")
        if isinstance(rules, _FileRules) and isinstance(value, File):
            try:
                rules.check(value)
            except FileCheckError as exc:
                raise msgspec.ValidationError(f"{exc} - at `${path}`") from None
        _check_files(info.type, value, path)
    elif isinstance(info, msgspec.inspect.StructType):
        if isinstance(value, info.cls):
            for field in info.fields:
                _check_files(field.type, getattr(value, field.name), f"{path}.{field.encode_name}")
    elif isinstance(info, msgspec.inspect.UnionType):
        for member in info.types:
            _check_files(member, value, path)
    elif isinstance(value, list | tuple) and hasattr(info, "item_type"):
        for index, item in enumerate(value):
            _check_files(info.item_type, item, f"{path}[{index}]")
