"""Shared helpers for tests that drive a real browser against a real server.

- :func:`serve` runs an ASGI app with uvicorn on 127.0.0.1 (a free port) in a thread.
- :func:`launch_chromium` starts Debian's ``/usr/bin/chromium`` through Playwright (never
  a browser that Playwright downloads itself).
- :func:`block_outside_requests` makes a page fail, and record, every request that does
  not go to 127.0.0.1, so a test proves the page works offline.

Without Chromium or Playwright these helpers skip the test with the reason, except on CI
(``CI=true``), where a missing browser is a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

__all__ = [
    "CHROMIUM_ARGS",
    "block_outside_requests",
    "launch_chromium",
    "serve",
    "skip_or_fail",
]

#: Flags for a quiet, sandbox-free, offline Chromium.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def skip_or_fail(reason: str) -> None:
    """Skip the test with ``reason``; on CI, where the browser must be there, fail it."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)")
    pytest.skip(reason)


@contextlib.contextmanager
def serve(app: Any, *, timeout: float = 30.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 in a thread; yield its base URL, then stop."""
    import uvicorn

    started = threading.Event()

    class _Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            started.set()

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server = _Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        if not started.wait(timeout) or server.should_exit:
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port} within {timeout}s")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()


@contextlib.contextmanager
def launch_chromium() -> Iterator[Any]:
    """Yield a headless Playwright ``Browser`` running Debian's Chromium."""
    executable = shutil.which("chromium")
    if executable is None:
        skip_or_fail("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ModuleNotFoundError:
        skip_or_fail("Playwright is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def block_outside_requests(target: Any) -> list[str]:
    """Abort every request of ``target`` (a page or context) not bound for 127.0.0.1.

    Returns the list the blocked URLs are appended to, for the test to assert it empty.
    """
    blocked: list[str] = []

    def handle(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    target.route("**/*", handle)
    return blocked
