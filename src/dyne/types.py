"""The ASGI types Dyne's signatures use, for your own middleware and mounted apps.

They match the ASGI specification (and Starlette's aliases of the same names), so a
callable typed with them is accepted wherever Dyne takes an ASGI app::

    from dyne.types import ASGIApp, Receive, Scope, Send

    class Timing:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await self.app(scope, receive, send)

``JSON`` and ``JSONObject`` name JSON data (bodies, OpenAPI fragments, GraphQL variables)
for the extensions' signatures.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["JSON", "ASGIApp", "JSONObject", "Message", "Receive", "Scope", "Send"]

#: The connection's scope: ``type``, ``path``, ``headers``, ``state``, ...
type Scope = MutableMapping[str, Any]
#: One ASGI event, received or sent: ``{"type": "http.request", "body": b"..."}``.
type Message = MutableMapping[str, Any]
#: Awaits the next event from the client.
type Receive = Callable[[], Awaitable[Message]]
#: Sends one event to the client.
type Send = Callable[[Message], Awaitable[None]]
#: An ASGI application: ``await app(scope, receive, send)``.
type ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: A JSON value: a dict, list, str, int, float, bool or None. It stays ``Any`` on purpose:
#: code that reads nested fragments by key (``doc["paths"]["/x"]``) would need a check at
#: every step with a union; the name says what the data is.
type JSON = Any
#: A JSON object: a request or response body, an OpenAPI fragment, GraphQL variables.
type JSONObject = dict[str, JSON]
