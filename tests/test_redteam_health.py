"""Red-team regressions for app.health(): the readiness endpoint is public, so a flood of
probes must not multiply the work its checks do (database connections, calls to Redis)."""

from __future__ import annotations

import asyncio

import httpx2

import dyne


def _gated_app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App()
    state = {"running": 0, "most": 0, "calls": 0}
    gate = asyncio.Event()

    async def database():
        state["running"] += 1
        state["calls"] += 1
        state["most"] = max(state["most"], state["running"])
        try:
            await gate.wait()
        finally:
            state["running"] -= 1

    app.add_health_check("database", database)
    app.health(timeout=30)
    return app, state, gate


async def _flood(app, state, gate, probes):
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        pending = [asyncio.create_task(client.get("/health/ready")) for _ in range(probes)]
        # Every probe reaches the check (or its shared run) before the check may finish.
        while not all(task.done() for task in pending) and state["calls"] == 0:
            await asyncio.sleep(0)
        for _ in range(probes * 20):
            await asyncio.sleep(0)
        gate.set()
        return await asyncio.gather(*pending)


def test_redteam_health_ready_flood_runs_each_check_once_at_a_time(tmp_path, monkeypatch):
    app, state, gate = _gated_app(tmp_path, monkeypatch)
    answers = asyncio.run(_flood(app, state, gate, 50))
    assert state["most"] == 1
    assert [r.json()["checks"] for r in answers] == [{"database": "ok"}] * 50


def test_redteam_health_ready_runs_the_check_again_once_the_last_run_ended(tmp_path, monkeypatch):
    app, state, gate = _gated_app(tmp_path, monkeypatch)
    gate.set()
    assert app.client.get("/health/ready").status_code == 200
    assert app.client.get("/health/ready").status_code == 200
    assert state["calls"] == 2
