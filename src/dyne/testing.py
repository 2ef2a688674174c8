"""The test client behind ``app.client``: the only module that touches the HTTP client."""

from __future__ import annotations

from typing import Any, Self
from urllib.parse import unquote

from starlette.testclient import TestClient as _StarletteTestClient

from dyne.middleware import client_host
from dyne.types import ASGIApp, Receive, Scope, Send

__all__ = ["BASE_URL", "PLACEHOLDER_HOST", "TestClient"]

BASE_URL = "http://;"
PLACEHOLDER_HOST = ";"


class TestClient(_StarletteTestClient):
    """An httpx-compatible client that calls the app in-process.

    Its base URL is ``http://;``, so ``client.get("/x")`` and ``client.get("http://;/x")``
    both work. With ``App(allowed_hosts=[...])`` it sends, for that placeholder host, the
    first host the app allows (``testserver`` for ``["*"]``); pass another ``Host`` header
    or ``base_url`` to test others. It keeps cookies between requests and offers
    ``websocket_connect``. Used
    through ``app.client`` it has already run the app's startup events; :meth:`close`
    runs the shutdown events.
    """

    __test__ = False  # not a pytest test class

    def __init__(self, app: Any, base_url: str = BASE_URL, **kwargs: Any) -> None:
        kwargs.setdefault("raise_server_exceptions", True)
        super().__init__(app, base_url=base_url, **kwargs)
        self._running = False
        hooks = self.event_hooks
        hooks["request"] = [self._send_allowed_host, *hooks.get("request", ())]
        self.event_hooks = hooks
        transport = getattr(self, "_transport", None)
        if transport is not None and hasattr(transport, "app"):
            transport.app = _decode_path_once(transport.app)

    def _send_allowed_host(self, request: Any) -> None:
        # ";" is the client's own placeholder, never a valid host: with allowed_hosts set,
        # send a host the app accepts instead, so tests pass through TrustedHostMiddleware.
        if request.headers.get("host") != PLACEHOLDER_HOST:
            return
        host = client_host(getattr(self.app, "allowed_hosts", None))
        if host is not None:
            request.headers["host"] = host

    def websocket_connect(self, url: str, *args: Any, **kwargs: Any) -> Any:
        """Open a WebSocket to ``url`` (a path, or a full ``ws://`` URL)."""
        if url.startswith("/") and getattr(self.app, "allowed_hosts", None) is not None:
            url = f"ws://{PLACEHOLDER_HOST}{url}"  # so the allowed host is sent, as for HTTP
        return super().websocket_connect(url, *args, **kwargs)

    def __enter__(self) -> Self:
        if not self._running:
            super().__enter__()
            self._running = True
        return self

    def __exit__(self, *args: Any) -> None:
        if self._running:
            self._running = False
            super().__exit__(*args)

    def start(self) -> Self:
        """Run the app's startup events once and keep one event loop for later requests."""
        return self.__enter__()

    def close(self) -> None:
        """Run the app's shutdown events (when started) and release the client; the next
        ``app.client`` is a new one."""
        self.__exit__(None, None, None)
        super().close()
        if getattr(self.app, "_client", None) is self:
            self.app._client = None


def _decode_path_once(app: ASGIApp) -> ASGIApp:
    """Give the app the path percent-decoded once, from ``raw_path``, as servers do.

    Starlette's test transport decodes an already decoded path again, so ``/a/%252e%252e``
    would reach the app as ``/a/..``: a test must see what production sees.
    """

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        raw_path = scope.get("raw_path")
        if raw_path is not None and scope["type"] in ("http", "websocket"):
            scope = {**scope, "path": unquote(raw_path.decode("latin-1"))}
        await app(scope, receive, send)

    return asgi
