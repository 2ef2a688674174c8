"""The sqlalchemy extra: Alchemical models, CRUDMixin and transactions over HTTP.

``python db.py URL``: ``sqlite:///path.db`` or ``postgresql://user@host/db``.
"""

from __future__ import annotations

import sys
import uuid

from _check import check, status
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

import dyne
from dyne.exceptions import abort
from dyne.ext.db.alchemical import Alchemical, CRUDMixin, Model

TABLE = "smoke_books_" + uuid.uuid4().hex[:8]


class Book(CRUDMixin, Model):
    """A book."""

    __tablename__ = TABLE
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)


def main(url: str) -> None:
    """Run the checks."""
    app = dyne.App()
    app.config.from_object(type("Config", (), {"ALCHEMICAL_DATABASE_URL": url}))
    db = Alchemical(app)

    @app.on_event("startup")
    async def create_tables():
        await db.create_all()

    @app.route("/books", methods=["POST"])
    @db.transaction
    async def create(req, resp):
        book = await Book.create(title=(await req.media())["title"])
        resp.status_code = 201
        resp.media = {"id": book.id, "title": book.title}

    @app.route("/books/{id:int}")
    async def read(req, resp, id):
        await req.db
        book = await Book.get(id)
        if book is None:
            abort(404)
        resp.media = {"id": book.id, "title": book.title}

    @app.route("/books/{id:int}", methods=["DELETE"])
    @db.transaction
    async def delete(req, resp, id):
        book = await Book.get(id)
        if book is None:
            abort(404)
        await book.destroy()
        resp.status_code = 204

    client = app.client
    try:
        made = status(client.post("/books", json={"title": "Dune"}), 201, "create").json()
        got = status(client.get(f"/books/{made['id']}"), 200, "read").json()
        check(got == made, f"read back {got}, wrote {made}")
        status(client.get("/books/999999"), 404, "missing id")
        status(client.delete(f"/books/{made['id']}"), 204, "delete")
        status(client.get(f"/books/{made['id']}"), 404, "deleted")
    finally:
        client.close()
        if url.startswith("postgresql"):
            import asyncio

            from sqlalchemy import text

            async def drop() -> None:
                async with db.begin() as session:
                    await session.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))

            asyncio.run(drop())


if __name__ == "__main__":
    main(sys.argv[1])
