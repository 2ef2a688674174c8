"""The active session of the running task, found by the CRUD helpers and ``@db.transaction``."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["activate", "active_session", "deactivate", "require_session"]

NO_SESSION_MESSAGE = "No active database session. Did you await req.db?"

# A ContextVar, not a thread-local: each request runs in its own task (its own context), so
# concurrent requests never see each other's session.
_active: ContextVar[AsyncSession | None] = ContextVar("dyne_alchemical_session", default=None)


def active_session() -> AsyncSession | None:
    """The session activated in this context, or None."""
    return _active.get()


def require_session() -> AsyncSession:
    """The session activated in this context, or ``RuntimeError`` when there is none."""
    session = _active.get()
    if session is None:
        raise RuntimeError(NO_SESSION_MESSAGE)
    return session


def activate(session: AsyncSession) -> None:
    """Make ``session`` the one CRUD helpers use in this context."""
    _active.set(session)


def deactivate(session: AsyncSession) -> None:
    """Forget ``session`` if it is the active one, so nothing uses it once it is closed."""
    if _active.get() is session:
        _active.set(None)
