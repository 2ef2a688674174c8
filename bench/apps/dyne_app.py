"""The benchmark app in Dyne, written as a user would write it from the tour.

The validated POST needs ``dyne.ext.io.pydantic``; while that extension is not there the
route is left out and :data:`POST_SKIP_REASON` says why, so the scenario is skipped.
"""

from __future__ import annotations

from typing import Any

import dyne

from ._common import LARGE_ROUTES, MESSAGE, PLAINTEXT, SMALL_ROUTES, Item, filler_routes

NAME = "Dyne"

try:
    from dyne.ext.io.pydantic import input as _input
except ImportError as exc:
    _input = None
    POST_SKIP_REASON: str | None = f"dyne.ext.io.pydantic does not import ({exc})"
else:
    POST_SKIP_REASON = None


def _add_static(app: dyne.App, prefix: str) -> None:
    """Register ``GET /<prefix>`` answering ``prefix`` as plain text."""

    @app.route(f"/{prefix}")
    async def static(req: dyne.Request, resp: dyne.Response) -> None:
        resp.text = prefix


def create_app(routes: int = SMALL_ROUTES, **options: Any) -> dyne.App:
    """Return the Dyne bench app with ``routes`` routes in total (``options`` go to App)."""
    app = dyne.App(**options)

    @app.route("/")
    async def plaintext(req: dyne.Request, resp: dyne.Response) -> None:
        resp.text = PLAINTEXT

    @app.route("/json")
    async def json_view(req: dyne.Request, resp: dyne.Response) -> None:
        resp.media = MESSAGE

    @app.route("/items/{id:int}")
    async def item(req: dyne.Request, resp: dyne.Response, id: int) -> None:
        resp.media = {"id": id}

    if _input is not None:

        @app.route("/items", methods=["POST"])
        @_input(Item)
        async def create_item(req: dyne.Request, resp: dyne.Response, *, data: Any) -> None:
            resp.media = data

    for kind, prefix, _ in filler_routes(routes):
        if kind == "param":
            app.add_route(f"/{prefix}/items/{{id:int}}", item)
        else:
            _add_static(app, prefix)
    return app


def create_large_app() -> dyne.App:
    """Return the Dyne bench app with the large route count (for ``uvicorn --factory``)."""
    return create_app(LARGE_ROUTES)
