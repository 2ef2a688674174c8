"""The benchmark app as one hand-written ASGI callable: the ceiling no framework can beat.

It does only what the scenarios need: a dict for static paths, a split for the int
routes, ``json.dumps`` for JSON and pydantic for the POST. Nothing is generic.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from pydantic import ValidationError

from ._common import LARGE_ROUTES, MESSAGE, PLAINTEXT, SMALL_ROUTES, Item, filler_routes

NAME = "raw ASGI"
POST_SKIP_REASON: str | None = None

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
RawApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Answer = tuple[int, bytes, bytes]
"""(status, content type, body)."""

TEXT = b"text/plain; charset=utf-8"
JSON = b"application/json"
NOT_FOUND: Answer = (404, TEXT, b"Not Found")
METHOD_NOT_ALLOWED: Answer = (405, TEXT, b"Method Not Allowed")


def _dumps(data: Any) -> bytes:
    """Encode ``data`` as compact UTF-8 JSON."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


async def _send(send: Send, answer: Answer) -> None:
    """Send ``answer`` as a complete HTTP response."""
    status, content_type, body = answer
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode("latin-1")),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive) -> bytes:
    """Read the whole request body."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _lifespan(receive: Receive, send: Send) -> None:
    """Acknowledge startup and shutdown; there is nothing to set up."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _create_item(receive: Receive) -> Answer:
    """Validate the JSON body of ``POST /items`` with pydantic and echo it back."""
    try:
        data = Item.model_validate_json(await _read_body(receive))
    except ValidationError as exc:
        return 400, JSON, _dumps({"errors": exc.errors(include_url=False)})
    return 200, JSON, _dumps(data.model_dump())


def create_app(routes: int = SMALL_ROUTES) -> RawApp:
    """Return the raw ASGI bench app with ``routes`` routes in total."""
    static: dict[str, Answer] = {
        "/": (200, TEXT, PLAINTEXT.encode("utf-8")),
        "/json": (200, JSON, _dumps(MESSAGE)),
    }
    # First path segment -> True for every ``/<prefix>/items/{id:int}`` route.
    param_prefixes: set[str] = {"items"}
    for kind, prefix, _ in filler_routes(routes):
        if kind == "param":
            param_prefixes.add(prefix)
        else:
            static["/" + prefix] = (200, TEXT, prefix.encode("utf-8"))

    def param_route(path: str) -> int | None:
        """Return the id of an int-param route matching ``path``, or ``None``."""
        parts = path.split("/")
        if len(parts) == 3 and parts[1] == "items":
            tail = parts[2]
        elif len(parts) == 4 and parts[2] == "items" and parts[1] in param_prefixes:
            tail = parts[3]
        else:
            return None
        return int(tail) if tail.isascii() and tail.isdigit() else None

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await _lifespan(receive, send)
            return
        method = scope["method"]
        path = scope["path"]
        answer = static.get(path)
        if answer is None:
            if path == "/items":
                if method == "POST":
                    await _send(send, await _create_item(receive))
                    return
                answer = METHOD_NOT_ALLOWED
            else:
                item_id = param_route(path)
                if item_id is None:
                    answer = NOT_FOUND
                elif method not in ("GET", "HEAD"):
                    answer = METHOD_NOT_ALLOWED
                else:
                    answer = (200, JSON, _dumps({"id": item_id}))
        elif method not in ("GET", "HEAD"):
            answer = METHOD_NOT_ALLOWED
        await _send(send, answer)

    return app


def create_large_app() -> RawApp:
    """Return the raw ASGI bench app with the large route count (for ``uvicorn --factory``)."""
    return create_app(LARGE_ROUTES)
