"""WebSockets: a greeter that answers text frames and an adder that speaks JSON.

Run it with ``python examples/websocket_app.py`` and connect to ``ws://127.0.0.1:5042/ws``.
"""

from __future__ import annotations

import math

import dyne

app = dyne.App()


@app.route("/ws", websocket=True)
async def greet(ws):
    await ws.accept()
    while True:  # ends when the client disconnects: Dyne closes the handler cleanly
        name = await ws.receive_text()
        await ws.send_text(f"Hello {name}!")


@app.route("/ws/sum", websocket=True)
async def add(ws):
    await ws.accept()
    while True:
        # Invalid JSON here makes Dyne close the connection with code 1007.
        message = await ws.receive_json()
        numbers = message.get("numbers", []) if isinstance(message, dict) else None
        if not isinstance(numbers, list) or not all(
            isinstance(n, int | float) and not isinstance(n, bool) for n in numbers
        ):
            await ws.send_json({"error": "numbers must be a list of numbers"})
            continue
        total = sum(numbers)
        if not math.isfinite(total):  # 1e308 + 1e308: no JSON number can carry it
            await ws.send_json({"error": "the sum is too large"})
            continue
        await ws.send_json({"sum": total})


if __name__ == "__main__":
    app.run()
