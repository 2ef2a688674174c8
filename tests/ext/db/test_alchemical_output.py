"""ORM rows and lists from a request session serialize through @output (pydantic, marshmallow)."""

from __future__ import annotations

import importlib

import pytest
from sqlalchemy import Column, Float, Integer, String

from dyne.ext.db.alchemical import Alchemical, Model


def _pydantic_schemas():
    from pydantic import BaseModel, ConfigDict

    class BookSchema(BaseModel):
        id: int
        title: str
        price: float
        # Required for SQLAlchemy integration
        model_config = ConfigDict(from_attributes=True)

    return BookSchema, BookSchema


def _marshmallow_schemas():
    from marshmallow import Schema, fields

    class BookSchema(Schema):
        id = fields.Int()
        title = fields.Str()
        price = fields.Float()

    return BookSchema, BookSchema(many=True)


@pytest.mark.parametrize("engine", ["pydantic", "marshmallow"])
def test_output_serializes_orm_rows_and_lists(app, database, engine):
    pytest.importorskip(engine)
    output = importlib.import_module(f"dyne.ext.io.{engine}").output
    one, many = {"pydantic": _pydantic_schemas, "marshmallow": _marshmallow_schemas}[engine]()
    db = Alchemical(app)

    @app.on_event("startup")
    async def setup_db():
        await db.create_all()

    class Book(Model):
        __tablename__ = "books"
        id = Column(Integer, primary_key=True)
        price = Column(Float)
        title = Column(String)

    @app.route("/books", methods=["POST"])
    async def seed(req, resp):
        session = await req.db
        session.add_all([Book(title="Dune", price=9.5), Book(title="Emma", price=5.0)])
        await session.commit()

    # {id:int}: PostgreSQL (asyncpg) refuses a str for an integer column, SQLite does not.
    @app.route("/books/{id:int}")
    @output(one)
    async def get_book(req, resp, id):
        session = await req.db
        book = await session.scalar(Book.select().filter_by(id=id))
        resp.obj = book

    @app.route("/all-books")
    @output(many)
    async def list_all(req, resp):
        session = await req.db
        query = await session.scalars(Book.select().order_by(Book.id))
        resp.obj = query.all()

    client = app.client
    client.post("/books")
    assert client.get("/books/2").json() == {"id": 2, "title": "Emma", "price": 5.0}
    assert client.get("/all-books").json() == [
        {"id": 1, "title": "Dune", "price": 9.5},
        {"id": 2, "title": "Emma", "price": 5.0},
    ]
