"""The benchmark app in plain Starlette: a list of ``Route`` objects in ``Starlette(routes=...)``.

The validated POST is written by hand the way a Starlette user would: pydantic's
``model_validate_json`` on the raw body, 400 with the errors when it fails.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ._common import LARGE_ROUTES, MESSAGE, PLAINTEXT, SMALL_ROUTES, Item, filler_routes

NAME = "Starlette"
POST_SKIP_REASON: str | None = None


async def plaintext(request: Request) -> Response:
    """Answer ``GET /`` with plain text."""
    return PlainTextResponse(PLAINTEXT)


async def json_view(request: Request) -> Response:
    """Answer ``GET /json`` with a small JSON object."""
    return JSONResponse(MESSAGE)


async def item(request: Request) -> Response:
    """Answer ``GET /items/{id:int}`` (and the param fillers) with the converted id."""
    return JSONResponse({"id": request.path_params["id"]})


async def create_item(request: Request) -> Response:
    """Validate the JSON body of ``POST /items`` with pydantic and echo it back."""
    try:
        data = Item.model_validate_json(await request.body())
    except ValidationError as exc:
        return JSONResponse({"errors": exc.errors(include_url=False)}, status_code=400)
    return JSONResponse(data.model_dump())


def _static(text: str) -> Callable[[Request], Awaitable[Response]]:
    """Return an endpoint answering ``text`` as plain text."""

    async def static(request: Request) -> Response:
        return PlainTextResponse(text)

    return static


def create_app(routes: int = SMALL_ROUTES) -> Starlette:
    """Return the Starlette bench app with ``routes`` routes in total."""
    table = [
        Route("/", plaintext),
        Route("/json", json_view),
        Route("/items/{id:int}", item),
        Route("/items", create_item, methods=["POST"]),
    ]
    for kind, prefix, _ in filler_routes(routes):
        if kind == "param":
            table.append(Route(f"/{prefix}/items/{{id:int}}", item))
        else:
            table.append(Route(f"/{prefix}", _static(prefix)))
    return Starlette(routes=table)


def create_large_app() -> Starlette:
    """Return the Starlette bench app with the large route count (for ``uvicorn --factory``)."""
    return create_app(LARGE_ROUTES)
