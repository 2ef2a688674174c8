"""The readiness check ``app.health()`` runs for the database: ``SELECT 1`` on each engine."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from dyne.ext.db.alchemical._extension import Alchemical

__all__ = ["database_check"]


def database_check(db: Alchemical) -> Callable[[], Awaitable[None]]:
    """A check that connects to the default database and every bind and runs ``SELECT 1``;
    it raises (and the ready endpoint answers 503) when one cannot be reached."""

    async def check() -> None:
        db.get_engine()  # makes the engines on first use
        for bind in [None, *db.bind_names()]:
            async with db.get_engine(bind).connect() as connection:
                await connection.execute(text("SELECT 1"))

    return check
