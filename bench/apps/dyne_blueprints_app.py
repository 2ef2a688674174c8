"""The Dyne bench app with every route registered through blueprints.

The same routes as :mod:`.dyne_app`, answering the same scenarios, but the way a larger
application is split up: the four scenario routes on a ``core`` blueprint, the fillers
spread over ``part<n>`` blueprints of 100 routes nested in an ``api`` blueprint, all
attached with ``app.include``. Including flattens them into the app's routing tree, so
each scenario should cost what it costs on :mod:`.dyne_app` (the issue's bound: within 5%).
"""

from __future__ import annotations

from typing import Any

import dyne

from ._common import LARGE_ROUTES, MESSAGE, PLAINTEXT, SMALL_ROUTES, Item, filler_routes

NAME = "Dyne (blueprints)"

PART_SIZE = 100
"""Filler routes per nested blueprint."""

try:
    from dyne.ext.io.pydantic import input as _input
except ImportError as exc:
    _input = None
    POST_SKIP_REASON: str | None = f"dyne.ext.io.pydantic does not import ({exc})"
else:
    POST_SKIP_REASON = None


def _add_static(bp: dyne.Blueprint, prefix: str) -> None:
    """Register ``GET /<prefix>`` on ``bp``, answering ``prefix`` as plain text."""

    @bp.route(f"/{prefix}", name=prefix)
    async def static(req: dyne.Request, resp: dyne.Response) -> None:
        resp.text = prefix


def create_app(routes: int = SMALL_ROUTES) -> dyne.App:
    """Return the bench app with ``routes`` routes in total, all from blueprints."""
    core = dyne.Blueprint("core")

    @core.route("/")
    async def plaintext(req: dyne.Request, resp: dyne.Response) -> None:
        resp.text = PLAINTEXT

    @core.route("/json")
    async def json_view(req: dyne.Request, resp: dyne.Response) -> None:
        resp.media = MESSAGE

    @core.route("/items/{id:int}")
    async def item(req: dyne.Request, resp: dyne.Response, id: int) -> None:
        resp.media = {"id": id}

    if _input is not None:

        @core.route("/items", methods=["POST"])
        @_input(Item)
        async def create_item(req: dyne.Request, resp: dyne.Response, *, data: Any) -> None:
            resp.media = data

    api = dyne.Blueprint("api")
    part = dyne.Blueprint("part0")
    for number, (kind, prefix, _) in enumerate(filler_routes(routes)):
        if number and number % PART_SIZE == 0:
            api.include(part)
            part = dyne.Blueprint(f"part{number // PART_SIZE}")
        if kind == "param":
            part.add_route(f"/{prefix}/items/{{id:int}}", item)
        else:
            _add_static(part, prefix)
    api.include(part)

    app = dyne.App()
    app.include(core)
    app.include(api)
    return app


def create_large_app() -> dyne.App:
    """Return the app with the large route count (for ``uvicorn --factory``)."""
    return create_app(LARGE_ROUTES)
