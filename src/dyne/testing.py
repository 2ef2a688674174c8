"""The test client behind ``app.client``: the only module that touches the HTTP client."""

from __future__ import annotations

from typing import Any, Self

from starlette.testclient import TestClient as _StarletteTestClient

__all__ = ["BASE_URL", "TestClient"]

BASE_URL = "http://;"


class TestClient(_StarletteTestClient):
    """An httpx-compatible client that calls the app in-process.

    Its base URL is ``http://;``, so ``client.get("/x")`` and ``client.get("http://;/x")``
    both work. It keeps cookies between requests and offers ``websocket_connect``. Used
    through ``app.client`` it has already run the app's startup events; :meth:`close`
    runs the shutdown events.
    """

    __test__ = False  # not a pytest test class

    def __init__(self, app: Any, base_url: str = BASE_URL, **kwargs: Any) -> None:
        kwargs.setdefault("raise_server_exceptions", True)
        super().__init__(app, base_url=base_url, **kwargs)
        self._running = False

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
