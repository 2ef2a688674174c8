"""The scenarios and a tiny ASGI driver: build a scope, run lifespan, call an app, capture.

Shared by ``bench/inprocess.py`` (which times calls), ``bench/http_bench.py`` (which only
needs the scenario list) and ``tests/test_bench_apps.py`` (which checks the answers).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from ._common import LARGE_ROUTES, MESSAGE, PLAINTEXT, SMALL_ROUTES, target_path

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

POST_BODY = b'{"name": "widget", "price": 9.5, "tags": ["a", "b"]}'
"""A valid body for ``POST /items``."""

BAD_POST_BODY = b'{"name": "widget", "price": "not a number"}'
"""A body ``POST /items`` must refuse with a 4xx."""

BASE_HEADERS: list[tuple[bytes, bytes]] = [
    (b"host", b"127.0.0.1:8000"),
    (b"user-agent", b"dyne-bench"),
    (b"accept", b"*/*"),
]


@dataclass(frozen=True)
class Scenario:
    """One request shape, the app size it runs against, and the answer it must get."""

    key: str
    """Short name used on the command line and in tables."""
    title: str
    """Human description for the report."""
    method: str
    path: str
    routes: int = SMALL_ROUTES
    """Total routes in the app this scenario runs against."""
    body: bytes = b""
    content_type: str | None = None
    status: int = 200
    expected_json: Any = None
    """The decoded JSON body the answer must carry (``None``: do not check as JSON)."""
    expected_text: str | None = None
    """The exact text body the answer must carry (``None``: do not check as text)."""
    needs_post: bool = False
    """True when the app must serve the validated POST (see ``POST_SKIP_REASON``)."""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)

    def request_headers(self) -> list[tuple[bytes, bytes]]:
        """Return the raw ASGI request headers for this scenario."""
        headers = list(BASE_HEADERS)
        if self.content_type is not None:
            headers.append((b"content-type", self.content_type.encode("latin-1")))
        if self.method not in ("GET", "HEAD"):
            headers.append((b"content-length", str(len(self.body)).encode("latin-1")))
        headers.extend(self.headers)
        return headers


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("plaintext", "GET / (text)", "GET", "/", expected_text=PLAINTEXT),
    Scenario("json", "GET /json", "GET", "/json", expected_json=MESSAGE),
    Scenario("param", "GET /items/{id:int}", "GET", "/items/42", expected_json={"id": 42}),
    Scenario("notfound", "GET /nope (404)", "GET", "/nope", status=404),
    Scenario(
        "routes10",
        f"int param, last of {SMALL_ROUTES} routes",
        "GET",
        target_path(SMALL_ROUTES),
        expected_json={"id": 42},
    ),
    Scenario(
        "routes1000",
        f"int param, last of {LARGE_ROUTES} routes",
        "GET",
        target_path(LARGE_ROUTES),
        routes=LARGE_ROUTES,
        expected_json={"id": 42},
    ),
    Scenario(
        "post",
        "POST /items (pydantic)",
        "POST",
        "/items",
        body=POST_BODY,
        content_type="application/json",
        expected_json=json.loads(POST_BODY),
        needs_post=True,
    ),
)
"""Every scenario, in report order."""

SCENARIOS_BY_KEY: dict[str, Scenario] = {s.key: s for s in SCENARIOS}


def build_scope(
    method: str,
    path: str,
    headers: list[tuple[bytes, bytes]],
    query_string: bytes = b"",
) -> dict[str, Any]:
    """Return an HTTP scope shaped like the one uvicorn builds (without ``state``)."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("ascii"),
        "query_string": query_string,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


def scenario_scope(scenario: Scenario) -> dict[str, Any]:
    """Return the scope of one request of ``scenario`` (without ``state``)."""
    return build_scope(scenario.method, scenario.path, scenario.request_headers())


DISCONNECT: Message = {"type": "http.disconnect"}


def body_receiver(body: bytes) -> Receive:
    """Return a ``receive`` that yields ``body`` once, then reports a disconnect."""
    message: Message = {"type": "http.request", "body": body, "more_body": False}
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return DISCONNECT
        sent = True
        return message

    return receive


class LifespanError(RuntimeError):
    """The app failed its lifespan startup or shutdown."""


class Lifespan:
    """Run an app's ASGI lifespan protocol: ``await start()`` then ``await stop()``.

    Apps that do not support lifespan (they raise on the lifespan scope before answering)
    are accepted: the state stays empty and ``stop()`` does nothing, as uvicorn's ``auto``.
    """

    def __init__(self, app: ASGIApp, timeout: float = 10.0) -> None:
        """Prepare to drive ``app``; ``timeout`` bounds each phase in seconds."""
        self.app = app
        self.timeout = timeout
        self.state: dict[str, Any] = {}
        self._inbox: asyncio.Queue[Message] = asyncio.Queue()
        self._outbox: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def _next_message(self) -> Message | None:
        """Return the app's next lifespan message, or ``None`` if the app returned instead."""
        assert self._task is not None
        getter = asyncio.ensure_future(self._outbox.get())
        done, _ = await asyncio.wait(
            {getter, self._task}, timeout=self.timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if getter in done:
            return getter.result()
        getter.cancel()
        if not done:
            raise LifespanError(f"The app did not answer lifespan within {self.timeout} s")
        return None

    async def start(self) -> dict[str, Any]:
        """Send ``lifespan.startup`` and wait for the answer; return the lifespan state."""
        scope = {
            "type": "lifespan",
            "asgi": {"version": "3.0", "spec_version": "2.0"},
            "state": self.state,
        }
        self._task = asyncio.create_task(self.app(scope, self._inbox.get, self._outbox.put))
        await self._inbox.put({"type": "lifespan.startup"})
        message = await self._next_message()
        if message is None:
            # Returned or raised without answering: lifespan unsupported, as uvicorn's "auto"
            # mode reads it. Fetching the exception keeps asyncio from warning about it.
            if not self._task.cancelled():
                self._task.exception()
            self._task = None
            return self.state
        if message["type"] != "lifespan.startup.complete":
            raise LifespanError(f"Lifespan startup failed: {message.get('message', message)}")
        return self.state

    async def stop(self) -> None:
        """Send ``lifespan.shutdown`` and wait for the app to finish."""
        if self._task is None or self._task.done():
            return
        await self._inbox.put({"type": "lifespan.shutdown"})
        message = await self._next_message()
        if message is not None and message["type"] != "lifespan.shutdown.complete":
            raise LifespanError(f"Lifespan shutdown failed: {message.get('message', message)}")
        await asyncio.wait_for(self._task, self.timeout)


@dataclass
class Captured:
    """The response an app sent for one request."""

    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """Return the first value of header ``name`` (case-insensitive), or ``None``."""
        wanted = name.lower().encode("latin-1")
        for key, value in self.headers:
            if key.lower() == wanted:
                return value.decode("latin-1")
        return None


async def call(
    app: ASGIApp, scope: dict[str, Any], body: bytes = b"", state: dict[str, Any] | None = None
) -> Captured:
    """Call ``app`` once with a copy of ``scope`` and ``body``; return what it sent."""
    captured = Captured()
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            captured.status = message["status"]
            captured.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    request_scope = dict(scope)
    request_scope["state"] = dict(state or {})
    await app(request_scope, body_receiver(body), send)
    captured.body = b"".join(chunks)
    return captured


def check(scenario: Scenario, captured: Captured) -> str | None:
    """Return why ``captured`` is not a correct answer to ``scenario``, or ``None`` if it is."""
    if captured.status != scenario.status:
        return f"status {captured.status}, expected {scenario.status}: {captured.body[:200]!r}"
    if scenario.expected_text is not None:
        if captured.body.decode("utf-8", "replace") != scenario.expected_text:
            return f"body {captured.body[:200]!r}, expected {scenario.expected_text!r}"
        content_type = captured.header("content-type") or ""
        if not content_type.startswith("text/plain"):
            return f"content-type {content_type!r}, expected text/plain"
    if scenario.expected_json is not None:
        try:
            decoded = json.loads(captured.body)
        except ValueError:
            return f"body {captured.body[:200]!r} is not JSON"
        if decoded != scenario.expected_json:
            return f"JSON {decoded!r}, expected {scenario.expected_json!r}"
        content_type = captured.header("content-type") or ""
        if not content_type.startswith("application/json"):
            return f"content-type {content_type!r}, expected application/json"
    return None
