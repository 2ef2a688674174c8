"""``@output``: turning ``resp.obj`` into ``resp.media`` through a schema adapter."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterator, Mapping, Sequence, Set
from typing import Any

from ._specs import OutputSpec

__all__ = ["SerializationError", "check_headers", "serialize"]


class SerializationError(RuntimeError):
    """``resp.obj`` does not fit the ``@output`` schema: a server-side mistake (500)."""


def _is_many(obj: Any) -> bool:
    """Whether ``obj`` is a collection of items, judged by its type, never its attributes
    (an ORM row with a ``count`` column is still one row)."""
    if isinstance(obj, list | tuple):
        return True
    if isinstance(obj, str | bytes | bytearray | Mapping):
        return False
    return isinstance(obj, Sequence | Set | Iterator | AsyncIterable)


async def _collect(obj: Any) -> Any:
    if isinstance(obj, list | tuple):
        return obj
    if isinstance(obj, AsyncIterable):
        return [item async for item in obj]
    return list(obj)


async def serialize(resp: Any, obj: Any, output: OutputSpec, status_before: int) -> None:
    """Dump ``obj`` through the ``@output`` schema into ``resp.media`` (and its status);
    an object that does not fit raises :class:`SerializationError`."""
    adapter = output.adapter
    declared = output.many
    if declared is not None and declared != _is_many(obj):
        expected = "a list of items" if declared else "one object"
        raise SerializationError(
            f"resp.obj ({type(obj).__name__}) is not {expected}, which the @output schema "
            f"{adapter.name!r} declares (many={declared}); fix the view, or declare "
            f"@output(..., many={not declared})."
        )
    try:
        many = declared if declared is not None else _is_many(obj)
        if many:
            obj = await _collect(obj)
        media = adapter.dump(obj, many=many)
    except Exception as exc:
        raise SerializationError(
            f"resp.obj ({type(obj).__name__}) does not fit the @output schema "
            f"{adapter.name!r}: {exc}; fix the view or the schema."
        ) from exc
    if output.headers is not None:
        check_headers(resp, output.headers)
    resp.media = media
    if resp.status_code == status_before:
        resp.status_code = output.status_code


def check_headers(resp: Any, adapter: Any) -> None:
    """Check the response headers against the ``@output`` header schema."""
    values: dict[str, Any] = {}
    for wire, many in adapter.wire_fields().items():
        if wire in resp.headers:
            value = resp.headers[wire]
            values[wire] = [value] if many else value
    try:
        adapter.load(values)
    except adapter.error_types as exc:
        raise SerializationError(
            f"The response headers do not fit the @output header schema {adapter.name!r}: "
            f"{adapter.errors(exc)}; set them in the view."
        ) from exc
