"""app.health(): the ready endpoint checks the database Alchemical is configured with."""

from __future__ import annotations

import logging

from dyne.ext.db.alchemical import Alchemical


def test_health_ready_checks_the_database(app, database):
    Alchemical(app)
    app.health()
    r = app.client.get("/health/ready")
    assert (r.status_code, r.json()) == (200, {"status": "ok", "checks": {"database": "ok"}})


def test_health_ready_unreachable_database_is_503(app, monkeypatch):
    # Port 9 (discard) on localhost: nothing listens there, the connection is refused.
    monkeypatch.setenv("ALCHEMICAL_DATABASE_URL", "postgresql+asyncpg://u:pw@127.0.0.1:9/db")
    Alchemical(app)
    app.health()
    for name in ("dyne.health", "dyne.ext.db.alchemical"):
        monkeypatch.setattr(logging.getLogger(name), "disabled", True)
    r = app.client.get("/health/ready")
    assert (r.status_code, r.json()["checks"]) == (503, {"database": "fail"})
    assert "pw" not in r.text
