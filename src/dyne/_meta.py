"""The one place where decorators leave facts about an endpoint for others to read.

Extensions (validation, auth, ...) wrap endpoints and record what they do with
:func:`annotate`; the OpenAPI extension reads it back with :func:`meta_of`. Metadata
is a plain dict stored on the function under ``__dyne_meta__``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

__all__ = ["META_ATTRIBUTE", "annotate", "append", "meta_of", "wraps"]

META_ATTRIBUTE = "__dyne_meta__"


def meta_of(endpoint: Any) -> dict[str, Any]:
    """Return the metadata recorded on ``endpoint`` (an empty dict when there is none)."""
    return getattr(endpoint, META_ATTRIBUTE, None) or {}


def _own_meta(endpoint: Any) -> dict[str, Any]:
    meta = dict(meta_of(endpoint))
    setattr(endpoint, META_ATTRIBUTE, meta)
    return meta


def annotate(endpoint: Any, **facts: Any) -> Any:
    """Record ``facts`` on ``endpoint`` and return it; later facts replace earlier ones."""
    _own_meta(endpoint).update(facts)
    return endpoint


def append(endpoint: Any, key: str, item: Any) -> Any:
    """Add ``item`` to the list recorded under ``key`` on ``endpoint`` and return it."""
    meta = _own_meta(endpoint)
    meta[key] = [*meta.get(key, ()), item]
    return endpoint


def wraps(wrapped: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Like :func:`functools.wraps`, but gives the wrapper its own copy of the metadata."""

    def decorate(wrapper: Callable[..., Any]) -> Callable[..., Any]:
        functools.update_wrapper(wrapper, wrapped)
        setattr(wrapper, META_ATTRIBUTE, dict(meta_of(wrapped)))
        return wrapper

    return decorate
