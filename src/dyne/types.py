"""The ASGI types Dyne's signatures use, for your own middleware and mounted apps.

They match the ASGI specification (and Starlette's aliases of the same names), so a
callable typed with them is accepted wherever Dyne takes an ASGI app::

    from dyne.types import ASGIApp, Receive, Scope, Send

    class Timing:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await self.app(scope, receive, send)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["ASGIApp", "Message", "Receive", "Scope", "Send"]

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
