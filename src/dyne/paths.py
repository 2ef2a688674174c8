"""Path patterns: parameters, their converters, and compiling a pattern once at registration."""

from __future__ import annotations

import decimal
import math
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = [
    "CONVERTERS",
    "PARAMETER_PATTERN",
    "SEGMENT_REGEX",
    "CompiledPath",
    "Converter",
    "RouteError",
    "compile_path",
]


@dataclass(frozen=True, slots=True)
class Converter:
    """How a path parameter is matched (``regex``), parsed (``convert``) and written back
    (``to_string``, for ``url_for``).

    ``matches_slash`` says that the value may span several path segments (like ``path``):
    the router then matches it against the rest of the path, and ``url_for`` leaves its
    ``/`` unescaped. ``schema`` is the JSON Schema the OpenAPI document gives the parameter
    (``{"type": "string"}`` when None).
    """

    regex: str
    convert: Callable[[str], Any]
    to_string: Callable[[Any], str] = str
    matches_slash: bool = False
    schema: Mapping[str, Any] | None = field(default=None, hash=False)


_DOTS = frozenset({".", ".."})
_DRIVE = re.compile(r"[A-Za-z]:")


def _convert_str(value: str) -> str:
    # "." and ".." are never a parameter's value: they would walk out of a directory (with
    # "\\" too, which Windows reads as a separator). NUL is never part of a file name.
    if value in _DOTS or "\x00" in value or ("\\" in value and _DOTS & set(value.split("\\"))):
        raise ValueError(value)
    return value


def _convert_path(value: str) -> str:
    # A relative path that stays below wherever it is joined: no leading "/", no empty,
    # "." or ".." segment (after percent-decoding, "/" or "\\" separated), no drive "C:".
    parts = value.replace("\\", "/").split("/")
    if "\x00" in value or _DRIVE.match(value) or any(not p or p in _DOTS for p in parts):
        raise ValueError(value)
    return value


def _convert_float(value: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _float_to_string(value: float) -> str:
    # Positional notation ("100000000000000000000.0", not "1e+20"): the form the route matches.
    text = format(decimal.Decimal(repr(float(value))), "f")
    return text if "." in text or not text.isdigit() else text + ".0"


#: The regex of ``str``: any non-empty text within one path segment.
SEGMENT_REGEX = r"[^/]+"

#: The built-in converters by name. Read-only: an app adds its own with
#: ``dyne.extension.add_path_converter``, so no code can change every app's routes at once.
CONVERTERS: Mapping[str, Converter] = MappingProxyType(
    {
        "int": Converter(
            r"[0-9]+",
            int,
            lambda value: str(int(value)),
            schema=MappingProxyType({"type": "integer", "minimum": 0}),
        ),
        "float": Converter(
            r"[0-9]+(?:\.[0-9]+)?",
            _convert_float,
            _float_to_string,
            schema=MappingProxyType({"type": "number", "minimum": 0}),
        ),
        "str": Converter(SEGMENT_REGEX, _convert_str),
        "path": Converter(r".+", _convert_path, matches_slash=True),
        "uuid": Converter(
            r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
            uuid.UUID,
            schema=MappingProxyType({"type": "string", "format": "uuid"}),
        ),
    }
)

PARAMETER_PATTERN = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?}")


class RouteError(ValueError):
    """A route cannot be registered as written."""


@dataclass(slots=True)
class CompiledPath:
    """A path pattern, parsed: the regex, its parameters and a format string for url_for."""

    pattern: str
    regex: re.Pattern[str]
    converters: dict[str, Converter]
    template: str
    #: the converters by name it was compiled with (an app's own ones included)
    table: Mapping[str, Converter] = field(default_factory=lambda: CONVERTERS)

    @property
    def is_static(self) -> bool:
        """Whether the path has no parameters."""
        return not self.converters


def compile_path(path: str, table: Mapping[str, Converter] | None = None) -> CompiledPath:
    """Parse ``path`` (``/items/{id:int}``); an unknown converter or a bad pattern raises.

    :param table: the converters by name (default: the built-in :data:`CONVERTERS`).
    """
    table = CONVERTERS if table is None else table
    if not path.startswith("/"):
        raise RouteError(f"Route path {path!r} must start with '/'.")
    regex = "^"
    template = ""
    converters: dict[str, Converter] = {}
    position = 0
    for match in PARAMETER_PATTERN.finditer(path):
        name, converter_name = match.group(1), match.group(2) or "str"
        converter = table.get(converter_name)
        if converter is None:
            raise RouteError(
                f"Unknown path converter {converter_name!r} in {path!r}; "
                f"use one of: {', '.join(table)}."
            )
        if name in converters:
            raise RouteError(f"Path parameter {name!r} appears twice in {path!r}.")
        literal = path[position : match.start()]
        regex += re.escape(literal) + f"(?P<{name}>{converter.regex})"
        template += literal.replace("{", "{{").replace("}", "}}") + "{" + name + "}"
        converters[name] = converter
        position = match.end()
    rest = path[position:]
    leftover = PARAMETER_PATTERN.sub("", path)
    if "{" in leftover or "}" in leftover:
        raise RouteError(
            f"Malformed parameter in route path {path!r}; write {{name}} or {{name:int}}."
        )
    regex += re.escape(rest) + "$"
    template += rest.replace("{", "{{").replace("}", "}}")
    return CompiledPath(path, re.compile(regex), converters, template, table)
