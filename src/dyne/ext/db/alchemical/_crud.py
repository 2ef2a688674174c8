"""CRUDMixin: small Active Record helpers that work through the active session."""

from __future__ import annotations

import decimal
import uuid
from collections.abc import Sequence
from typing import Self

from sqlalchemy import BigInteger, Column, Integer, SmallInteger, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from dyne.ext.db.alchemical._context import require_session

__all__ = ["CRUDMixin"]

# Key types whose constructor parses a path parameter faithfully.
_CONVERTIBLE = (int, float, decimal.Decimal, uuid.UUID)


class CRUDMixin:
    """Active Record helpers for a model: ``save``, ``patch``, ``destroy``, ``create``, ...

    Every helper uses the session of the current request (``await req.db`` or
    ``@db.transaction`` activates it) and raises ``RuntimeError`` without one. Helpers
    flush so that database errors and generated keys show up at once, but never commit:
    committing stays the view's (or ``@db.transaction``'s, or autocommit's) decision.
    """

    __slots__ = ()

    async def save(self) -> Self:
        """Add this instance to the session, flush it and return it."""
        session = require_session()
        session.add(self)
        await session.flush()
        return self

    async def patch(self, **changes: object) -> Self:
        """Set the given attributes that the model has (others are ignored), flush, return self."""
        session = require_session()
        known = inspect(type(self), raiseerr=True).attrs.keys()
        for name, value in changes.items():
            if name in known:
                setattr(self, name, value)
        session.add(self)
        await session.flush()
        return self

    # The tour also calls it ``modify``.
    modify = patch

    async def destroy(self) -> None:
        """Delete this instance and flush the session."""
        session = require_session()
        await session.delete(self)
        await session.flush()

    @classmethod
    async def create(cls, **values: object) -> Self:
        """Build an instance from ``values``, save it and return it."""
        require_session()
        return await cls(**values).save()

    @classmethod
    async def all(cls) -> Sequence[Self]:
        """Every row of this model."""
        session = require_session()
        return (await session.scalars(select(cls))).all()

    @classmethod
    async def find(cls, **criteria: object) -> Self | None:
        """The first row whose columns equal ``criteria``, or None."""
        session = require_session()
        return (await session.scalars(select(cls).filter_by(**criteria).limit(1))).first()

    @classmethod
    async def get(cls, ident: object) -> Self | None:
        """The row with primary key ``ident``, or None.

        A string key (a path parameter) is converted to the key column's type first, so
        ``Book.get("7")`` works; one that does not convert (``"abc"`` for an integer key)
        matches nothing.
        """
        session = require_session()
        try:
            ident = _coerce_key(cls, ident)
        except (TypeError, ValueError):
            return None
        if not _in_integer_range(cls, ident, _dialect_name(session, cls)):
            return None  # no row can have it: the database would refuse the number itself
        return await session.get(cls, ident)


def _dialect_name(session: AsyncSession, model: type) -> str:
    try:
        return str(session.get_bind(mapper=inspect(model)).dialect.name)
    except SQLAlchemyError:  # no bind to ask: assume the widest (64-bit) integers
        return ""


def _in_integer_range(model: type, ident: object, dialect: str) -> bool:
    """Whether an integer key fits its column (an id past it is a 404, not a driver error)."""
    if not isinstance(ident, int) or isinstance(ident, bool):
        return True
    keys = _primary_key(model)
    if len(keys) != 1 or not isinstance(keys[0].type, Integer):
        return True
    column_type = keys[0].type
    if dialect == "sqlite" or isinstance(column_type, BigInteger):
        bits = 64  # SQLite stores every INTEGER in up to 8 bytes
    elif isinstance(column_type, SmallInteger):
        bits = 16
    else:
        bits = 32
    fits: bool = -(2 ** (bits - 1)) <= ident < 2 ** (bits - 1)
    return fits


def _primary_key(model: type) -> tuple[Column[object], ...]:
    return tuple(inspect(model, raiseerr=True).primary_key)


def _coerce_key(model: type, ident: object) -> object:
    if not isinstance(ident, str):
        return ident
    keys = _primary_key(model)
    if len(keys) != 1:
        return ident
    try:
        python_type = keys[0].type.python_type
    except NotImplementedError:
        return ident
    if python_type in _CONVERTIBLE:
        return python_type(ident)
    return ident
