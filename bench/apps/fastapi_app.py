"""The benchmark app in FastAPI, written with its ordinary decorators and type hints.

The int parameter is declared the FastAPI way (``{id}`` plus ``id: int``) and the POST
body is a pydantic model parameter; both are validated by FastAPI itself. Views carry no
return annotation, as in FastAPI's own first examples, so no response model is added.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from ._common import LARGE_ROUTES, MESSAGE, PLAINTEXT, SMALL_ROUTES, Item, filler_routes

NAME = "FastAPI"
POST_SKIP_REASON: str | None = None


def create_app(routes: int = SMALL_ROUTES) -> FastAPI:
    """Return the FastAPI bench app with ``routes`` routes in total."""
    app = FastAPI()

    @app.get("/", response_class=PlainTextResponse)
    async def plaintext():
        return PLAINTEXT

    @app.get("/json")
    async def json_view():
        return MESSAGE

    @app.get("/items/{id}")
    async def item(id: int):
        return {"id": id}

    @app.post("/items")
    async def create_item(item: Item):
        return item

    for kind, prefix, _ in filler_routes(routes):
        if kind == "param":
            app.get(f"/{prefix}/items/{{id}}")(item)
        else:
            app.get(f"/{prefix}", response_class=PlainTextResponse)(_static(prefix))
    return app


def _static(text: str) -> Callable[[], Awaitable[str]]:
    """Return an endpoint answering ``text``."""

    async def static():
        return text

    return static


def create_large_app() -> FastAPI:
    """Return the FastAPI bench app with the large route count (for ``uvicorn --factory``)."""
    return create_app(LARGE_ROUTES)
