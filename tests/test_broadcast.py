"""app.broadcast with the in-memory backend: views publish, WebSocket handlers subscribe."""

from __future__ import annotations

import asyncio

import pytest

from dyne.broadcast import Broadcast, MemoryBroadcast
from support import add_chat


def test_broadcast_from_a_view_reaches_a_websocket(app, client):
    add_chat(app)
    with client.websocket_connect("/listen") as ws:
        assert ws.receive_text() == "ready"
        client.post("/say/hi")
        assert ws.receive_text() == "hi"


def test_broadcast_reaches_every_subscriber():
    async def main():
        broadcast = Broadcast()
        async with broadcast.subscribe("c") as first, broadcast.subscribe("c") as second:
            await broadcast.publish("c", "x")
            return [await anext(aiter(first)), await anext(aiter(second))]

    assert asyncio.run(main()) == ["x", "x"]


def test_broadcast_other_channels_are_not_received():
    async def main():
        broadcast = Broadcast()
        async with broadcast.subscribe("a") as messages:
            await broadcast.publish("b", "not for a")
            await broadcast.publish("a", "for a")
            return await anext(aiter(messages))

    assert asyncio.run(main()) == "for a"


def test_broadcast_publish_without_subscribers_is_dropped():
    backend = MemoryBroadcast()
    asyncio.run(Broadcast(backend).publish("nobody", "hello"))
    assert backend._channels == {}


def test_broadcast_message_must_be_text():
    with pytest.raises(TypeError, match=r"json.dumps"):
        asyncio.run(Broadcast().publish("c", {"not": "text"}))


def test_broadcast_slow_subscriber_drops_instead_of_blocking(caplog):
    async def main():
        broadcast = Broadcast(MemoryBroadcast(queue_size=2))
        async with broadcast.subscribe("c") as messages:
            for n in range(5):
                await broadcast.publish("c", str(n))
            iterator = aiter(messages)
            return [await anext(iterator), await anext(iterator)]

    assert asyncio.run(main()) == ["0", "1"]
    assert "not reading" in caplog.text
