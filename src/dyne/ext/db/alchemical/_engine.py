"""Turning "the database cannot be reached" into a clean 503 instead of a 500."""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine

from dyne.exceptions import HTTPException

__all__ = ["DatabaseUnavailable", "guard"]

logger = logging.getLogger("dyne.ext.db.alchemical")


class DatabaseUnavailable(HTTPException):
    """The database could not be reached; Dyne answers 503 and the next request tries again."""

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(
            503, detail or "The database is unavailable right now; please try again shortly."
        )


def guard(engine: AsyncEngine) -> None:
    """Make ``engine`` raise :class:`DatabaseUnavailable` when connecting fails or drops.

    The original error stays attached as ``__cause__`` and is logged (without password).
    """
    sync_engine = engine.sync_engine
    dialect = sync_engine.dialect
    connect = dialect.connect
    where = sync_engine.url.render_as_string(hide_password=True)

    # Wrapping the dialect's own connect (not a do_connect listener) keeps any do_connect
    # listeners the user adds working, and sees driver errors that SQLAlchemy does not wrap
    # (asyncpg raises a bare ConnectionRefusedError).
    def guarded_connect(*cargs: object, **cparams: object) -> DBAPIConnection:
        try:
            return connect(*cargs, **cparams)
        except (TypeError, ValueError, AttributeError):
            raise  # a mistake in the connect arguments, not an outage: let it show as such
        except Exception as exc:
            logger.warning("Cannot connect to the database %s: %r", where, exc)
            raise DatabaseUnavailable() from exc

    # Replaced on this engine's dialect instance only (other engines keep their own).
    dialect.connect = guarded_connect  # type: ignore[method-assign]

    def on_error(context: ExceptionContext) -> None:
        # A dropped connection is invalidated by SQLAlchemy (the pool reconnects next time);
        # the request that saw it gets a 503 rather than a 500.
        if context.is_disconnect:
            logger.warning(
                "Lost the connection to the database %s: %r", where, context.original_exception
            )
            raise DatabaseUnavailable() from context.original_exception

    event.listen(sync_engine, "handle_error", on_error)
