"""The WebSocket a view receives: Starlette's, made safe against frames it cannot decode."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

from starlette.websockets import WebSocket as _StarletteWebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from dyne import formats
from dyne.request import QueryParams

__all__ = [
    "CLOSE_INTERNAL_ERROR",
    "CLOSE_INVALID_DATA",
    "CLOSE_POLICY_VIOLATION",
    "CLOSE_UNSUPPORTED_DATA",
    "WebSocket",
    "WebSocketDisconnect",
]

#: RFC 6455 close codes Dyne sends on the application's behalf.
CLOSE_UNSUPPORTED_DATA = 1003
CLOSE_INVALID_DATA = 1007
CLOSE_POLICY_VIOLATION = 1008
CLOSE_INTERNAL_ERROR = 1011


class WebSocket(_StarletteWebSocket):
    """A WebSocket connection: ``accept``, ``send_text/json/bytes``,
    ``receive_text/json/bytes``, ``close``.

    A frame of the wrong kind (binary where text is expected, or the reverse) closes the
    connection with 1003, undecodable JSON or UTF-8 with 1007; either way the receive call
    raises :class:`WebSocketDisconnect`, which ends the view cleanly. ``accept()`` on an
    already accepted connection does nothing, so a ``before_request`` hook and the view can
    both call it.
    """

    _dyne_params: QueryParams | None = None

    @property
    def params(self) -> QueryParams:
        """The query parameters, named as on a request: ``params["a"]`` is the last value,
        ``get_list("a")`` all of them.

        ``params`` is Dyne's name on both requests and WebSockets; ``query_params`` (inherited
        from Starlette) holds the same values without ``get_list``.
        """
        if self._dyne_params is None:
            self._dyne_params = QueryParams(self.scope.get("query_string", b""))
        return self._dyne_params

    async def accept(
        self,
        subprotocol: str | None = None,
        headers: Iterable[tuple[bytes, bytes]] | None = None,
    ) -> None:
        """Accept the connection (a no-op when it is already accepted)."""
        if self.application_state == WebSocketState.CONNECTED:
            return
        await super().accept(subprotocol, headers)

    async def _receive_frame(self) -> Any:
        message = await self.receive()
        self._raise_on_disconnect(message)
        return message

    async def _reject(self, code: int, reason: str) -> NoReturn:
        if self.application_state == WebSocketState.CONNECTED:
            await self.close(code=code, reason=reason)
        raise WebSocketDisconnect(code, reason)

    async def receive_text(self) -> str:
        """Wait for a text frame and return it (a binary frame closes with 1003)."""
        self._require_connected()
        message = await self._receive_frame()
        text = message.get("text")
        if text is None:
            await self._reject(CLOSE_UNSUPPORTED_DATA, "Expected a text frame.")
        return str(text)

    async def receive_bytes(self) -> bytes:
        """Wait for a binary frame and return it (a text frame closes with 1003)."""
        self._require_connected()
        message = await self._receive_frame()
        data = message.get("bytes")
        if data is None:
            await self._reject(CLOSE_UNSUPPORTED_DATA, "Expected a binary frame.")
        return bytes(data)

    async def receive_json(self, mode: str = "text") -> Any:
        """Wait for a frame holding JSON (text, or UTF-8 bytes with ``mode="binary"``).

        The wrong kind of frame closes with 1003; invalid JSON or UTF-8 with 1007.
        """
        if mode not in ("text", "binary"):
            raise ValueError(f"Unknown receive_json mode {mode!r}; use 'text' or 'binary'.")
        raw: str | bytes = await (self.receive_text() if mode == "text" else self.receive_bytes())
        try:
            return formats.parse_json(raw)  # NaN, Infinity, 1e400 refused, as in bodies
        except (ValueError, UnicodeDecodeError, RecursionError):
            # RecursionError: JSON nested absurdly deep is the client's mistake, not a 1011.
            await self._reject(CLOSE_INVALID_DATA, "The frame is not valid JSON.")

    def _require_connected(self) -> None:
        if self.application_state != WebSocketState.CONNECTED:
            raise RuntimeError("The WebSocket is not connected; call 'await ws.accept()' first.")
