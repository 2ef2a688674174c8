"""What every bench app shares: response bodies, the filler routes and the POST model.

Keeping these in one place is what makes the apps equivalent: each framework module only
says *how* its framework expresses the same routes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel

PLAINTEXT = "Hello, world!"
"""Body of ``GET /``."""

MESSAGE = {"message": "Hello, world!"}
"""Body of ``GET /json``."""

SMALL_ROUTES = 10
"""Total number of routes in the ordinary app."""

LARGE_ROUTES = 1000
"""Total number of routes in the app of the routing-scale scenario."""

CORE_ROUTES = 4
"""Routes every app has before the fillers: ``/``, ``/json``, ``/items/{id}``, ``POST /items``."""


class Item(BaseModel):
    """The body of the validated POST: ``POST /items``."""

    name: str
    price: float
    tags: list[str] = []


FillerKind = Literal["static", "param"]


def filler_routes(total: int) -> Iterator[tuple[FillerKind, str, int]]:
    """Yield ``(kind, prefix, index)`` for the filler routes of an app of ``total`` routes.

    Even indices are static routes ``/s{i}`` (answering plain text ``s{i}``), odd ones are
    int-parameter routes ``/r{i}/items/{id:int}`` (answering ``{"id": id}``), so a router
    cannot win by handling one kind only. The prefix is ``s{i}`` or ``r{i}``.
    """
    for index in range(max(total - CORE_ROUTES, 0)):
        if index % 2:
            yield "param", f"r{index}", index
        else:
            yield "static", f"s{index}", index


def target_path(total: int, item_id: int = 42) -> str:
    """Return the path of the last int-parameter filler route of an app of ``total`` routes."""
    last = None
    for kind, prefix, _ in filler_routes(total):
        if kind == "param":
            last = prefix
    if last is None:
        raise ValueError(f"An app of {total} routes has no filler param route; use at least 6")
    return f"/{last}/items/{item_id}"
