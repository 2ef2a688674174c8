"""Red-team regressions for app.broadcast: a subscriber that stops reading keeps a bounded
amount of memory, however large the messages published to it."""

from __future__ import annotations

import asyncio
import logging

from dyne.broadcast import Broadcast, MemoryBroadcast

MIB = 1024 * 1024


def test_redteam_broadcast_stalled_subscriber_keeps_at_most_8_mib_of_messages(caplog):
    async def main():
        broadcast = Broadcast(MemoryBroadcast())
        async with broadcast.subscribe("chat") as messages:
            for n in range(20):  # well under the default 1,000 messages, but 20 MiB
                await broadcast.publish("chat", str(n % 10) * MIB)
            iterator = aiter(messages)
            kept = [(await anext(iterator))[0] for _ in range(8)]
            # Read all that was kept: the next message is the one published now.
            await broadcast.publish("chat", "caught up")
            return kept, await anext(iterator)

    with caplog.at_level(logging.WARNING, logger="dyne.broadcast"):
        kept, after = asyncio.run(main())
    assert kept == list("01234567")
    assert after == "caught up"
    assert "not reading" in caplog.text


def test_redteam_broadcast_character_bound_is_configurable():
    async def main():
        broadcast = Broadcast(MemoryBroadcast(queue_chars=10))
        async with broadcast.subscribe("c") as messages:
            for text in ("12345", "67890", "x"):
                await broadcast.publish("c", text)
            iterator = aiter(messages)
            return [await anext(iterator), await anext(iterator)]

    assert asyncio.run(main()) == ["12345", "67890"]
