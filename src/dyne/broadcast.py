"""Broadcast: publish a message on a channel; every subscriber of that channel receives it.

``app.broadcast`` works inside one process out of the box (views publish, WebSocket
handlers subscribe). With several workers, give it a shared backend so a message published
on one worker reaches subscribers on all of them::

    from dyne.ext.redis import RedisBroadcast

    app.broadcast.backend = RedisBroadcast("redis://127.0.0.1:6379/0")

    @app.route("/chat", websocket=True)
    async def chat(ws):
        await ws.accept()
        async with app.broadcast.subscribe("chat") as messages:
            async for message in messages:
                await ws.send_text(message)

    @app.route("/say", methods=["POST"])
    async def say(req, resp):
        await app.broadcast.publish("chat", (await req.media())["text"])

Messages are text (``str``): send JSON with ``json.dumps``. Delivery is at most once, to the
subscribers listening when the message is published (nothing is stored for later).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any, Protocol

__all__ = ["Broadcast", "BroadcastBackend", "MemoryBroadcast", "Subscription"]

logger = logging.getLogger("dyne.broadcast")

#: Messages kept for one slow subscriber before newer ones are dropped for it.
DEFAULT_QUEUE_SIZE = 1000
#: Characters (of all its waiting messages) kept for one slow subscriber, likewise.
DEFAULT_QUEUE_CHARS = 8 * 1024 * 1024


class Subscription(Protocol):
    """What ``subscribe()`` yields: an async iterator of the channel's messages."""

    def __aiter__(self) -> AsyncIterator[str]:
        """Iterate over messages as they arrive."""
        ...


class BroadcastBackend(Protocol):
    """Carries messages between publishers and subscribers (one process, or a shared bus)."""

    async def publish(self, channel: str, message: str) -> None:
        """Deliver ``message`` to the channel's current subscribers."""
        ...

    def subscribe(self, channel: str) -> contextlib.AbstractAsyncContextManager[Any]:
        """An async context manager yielding the channel's messages, listening once entered."""
        ...


class _Queue:
    """One subscriber's messages, bounded so a stalled client cannot grow memory."""

    def __init__(self, channel: str, size: int, chars: int = DEFAULT_QUEUE_CHARS) -> None:
        self.channel = channel
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=size)
        self.dropped = 0
        #: bound on the characters waiting, so a few large messages cannot grow memory
        self.chars = chars
        self.waiting = 0

    def put(self, message: str) -> None:
        try:
            if self.waiting + len(message) > self.chars:
                raise asyncio.QueueFull
            self.queue.put_nowait(message)
            self.waiting += len(message)
        except asyncio.QueueFull:
            self.dropped += 1
            if self.dropped == 1:
                logger.warning(
                    "A subscriber of broadcast channel %r is not reading; messages for it are "
                    "dropped until it catches up.",
                    self.channel,
                )

    def __aiter__(self) -> AsyncIterator[str]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[str]:
        while True:
            message = await self.queue.get()
            self.waiting -= len(message)
            self.dropped = 0
            yield message


class MemoryBroadcast:
    """The in-process backend: subscribers in this process only (one worker, tests).

    :param queue_size: messages kept per subscriber that is not reading; past it, newer
        messages are dropped for that subscriber (with a warning) instead of blocking.
    :param queue_chars: characters kept per subscriber that is not reading (8 Mi by
        default), dropping newer messages likewise: a count alone would let a thousand
        large messages pile up for every stalled subscriber.
    """

    def __init__(
        self, queue_size: int = DEFAULT_QUEUE_SIZE, queue_chars: int = DEFAULT_QUEUE_CHARS
    ) -> None:
        self.queue_size = queue_size
        self.queue_chars = queue_chars
        self._channels: dict[str, set[_Queue]] = {}

    async def publish(self, channel: str, message: str) -> None:
        """Hand ``message`` to every subscriber of ``channel`` in this process."""
        for subscriber in list(self._channels.get(channel, ())):
            subscriber.put(message)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[_Queue]:
        """Listen on ``channel`` while the ``async with`` block runs."""
        subscriber = _Queue(channel, self.queue_size, self.queue_chars)
        self._channels.setdefault(channel, set()).add(subscriber)
        try:
            yield subscriber
        finally:
            subscribers = self._channels.get(channel)
            if subscribers is not None:
                subscribers.discard(subscriber)
                if not subscribers:
                    del self._channels[channel]


class Broadcast:
    """Publish/subscribe by channel name; ``app.broadcast`` is one.

    :param backend: a :class:`BroadcastBackend`; default: :class:`MemoryBroadcast`.
    """

    def __init__(self, backend: BroadcastBackend | None = None) -> None:
        #: where messages travel; replace it (e.g. with ``dyne.ext.redis.RedisBroadcast``)
        #: before the app serves to reach subscribers in other processes
        self.backend: BroadcastBackend = backend if backend is not None else MemoryBroadcast()

    async def publish(self, channel: str, message: str) -> None:
        """Send ``message`` (text) to every subscriber of ``channel``."""
        _check(channel, message)
        await self.backend.publish(channel, message)

    def subscribe(self, channel: str) -> contextlib.AbstractAsyncContextManager[Any]:
        """``async with app.broadcast.subscribe(channel) as messages: async for m in messages``.

        Listening starts when the block is entered, so a message published after that
        is received.
        """
        _check(channel, "")
        return self.backend.subscribe(channel)


def _check(channel: Any, message: Any) -> None:
    if not isinstance(channel, str) or not channel:
        raise TypeError(f"A broadcast channel is a non-empty str, not {channel!r}.")
    if not isinstance(message, str):
        raise TypeError(
            f"A broadcast message is a str, not {type(message).__name__}; send JSON text "
            "with json.dumps(...) and read it with json.loads(...)."
        )
