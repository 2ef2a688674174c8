"""Reading a route for the document: its path, its parameters, its views, its docstring."""

from __future__ import annotations

import inspect

from dyne.ext.openapi._json import JSONObject
from dyne.routing import Converter, Route, method_handler

__all__ = [
    "DOCUMENTED",
    "openapi_path",
    "path_parameters",
    "split_docstring",
    "views",
]

#: Methods an OpenAPI Path Item can hold (CONNECT has no field there).
DOCUMENTED = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _path_schema(converter: Converter) -> JSONObject:
    # The converter says how it is documented (an app's own converters too).
    return dict(converter.schema) if converter.schema is not None else {"type": "string"}


def path_parameters(route: Route) -> list[JSONObject]:
    """Parameter Objects for ``route``'s path parameters, typed from their converters."""
    return [
        {"name": name, "in": "path", "required": True, "schema": _path_schema(converter)}
        for name, converter in route.compiled.converters.items()
    ]


def openapi_path(route: Route) -> str:
    """``route``'s path as OpenAPI writes it: ``/items/{id:int}`` becomes ``/items/{id}``."""
    path = route.path
    for name in route.compiled.converters:
        for converter in route.compiled.table:
            path = path.replace("{" + f"{name}:{converter}" + "}", "{" + name + "}")
    return path


def views(route: Route) -> list[tuple[str, object]]:
    """``(method, view)`` for each documented method (class views: their ``on_<method>``)."""
    methods = sorted(m for m in route.methods if m.lower() in DOCUMENTED)
    if "GET" in methods and "HEAD" in methods:
        methods.remove("HEAD")  # answered automatically, documented by GET
    if not route.is_class_view:
        return [(m, route.endpoint) for m in methods]
    found: list[tuple[str, object]] = []
    for method in methods:
        view = method_handler(route.endpoint, method)
        if view is None:
            view = getattr(route.endpoint, "on_request", None) or route.endpoint
        found.append((method, view))
    return found


def split_docstring(doc: str | None) -> tuple[str | None, str | None]:
    """``(summary, description)``: the first line, then the text after ``---``."""
    if not doc:
        return None, None
    lines = inspect.cleandoc(doc).splitlines()
    stripped = [line.strip() for line in lines]
    if "---" in stripped:
        cut = stripped.index("---")
        head, tail = lines[:cut], lines[cut + 1 :]
    else:
        head, tail = lines, []
    summary = head[0].strip() if head else None
    rest = "\n".join([*head[1:], *tail]).strip()
    return summary or None, rest or None
