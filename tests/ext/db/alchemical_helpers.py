"""A small items app shared by the database tests (models are defined per test)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from dyne.ext.db.alchemical import Alchemical, CRUDMixin, Model


def items_app(app: Any, **config: Any) -> tuple[Alchemical, type]:
    """Register Alchemical on ``app`` with an ``Item`` model, its table and ``GET /count``."""
    for key, value in config.items():
        app.config[key] = value

    class Item(CRUDMixin, Model):
        __tablename__ = "items"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(64), unique=True)
        price: Mapped[float] = mapped_column(default=0.0)

    db = Alchemical(app)

    @app.on_event("startup")
    async def create_tables():
        await db.create_all()

    @app.route("/count")
    async def count(req, resp):
        async with db.Session() as session:
            resp.media = {"count": await session.scalar(select(func.count()).select_from(Item))}

    return db, Item


def count(client: Any) -> int:
    """How many items are stored, asked through the app."""
    response = client.get("/count")
    assert response.status_code == 200, response.text
    return response.json()["count"]
