"""A small book store on SQLAlchemy: Alchemical, CRUDMixin, @db.transaction, @input/@output.

Run it from this folder with ``python books_db.py`` (or ``dyne --app books_db run``); it
keeps its data in ``books.db`` next to where you start it. Set ALCHEMICAL_DATABASE_URL to
use another database (``postgresql://user@host/dbname``). Then try::

    curl -X POST localhost:5042/books -H 'content-type: application/json' \\
         -d '{"title": "Dune", "price": 9.5}'
    curl localhost:5042/books
    curl -X PATCH localhost:5042/books/1 -H 'content-type: application/json' -d '{"price": 12}'
"""

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

import dyne
from dyne.exceptions import abort
from dyne.ext.db.alchemical import Alchemical, CRUDMixin, Model
from dyne.ext.io.pydantic import expect, input, output


class Config:
    """Defaults; the environment or a .env file may override them."""

    ALCHEMICAL_DATABASE_URL = "sqlite:///books.db"


app = dyne.App()
app.config.from_object(Config)
db = Alchemical(app)


class Book(CRUDMixin, Model):
    """A book in the store; titles are unique."""

    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    price: Mapped[float]


class BookIn(BaseModel):
    """What a client sends to add a book."""

    title: str = Field(min_length=1, max_length=200)
    price: float = Field(gt=0)


class PriceUpdate(BaseModel):
    """A new price."""

    price: float = Field(gt=0)


class Conflict(BaseModel):
    """The answer when a title is taken."""

    error: str


class BookOut(BaseModel):
    """A book as the API shows it, read straight from the ORM object."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    price: float


@app.on_event("startup")
async def create_tables():
    """Create the tables that do not exist yet."""
    await db.create_all()


@app.error_handler(IntegrityError)
async def conflict(req, resp, exc):
    """A duplicate title is the client's mistake: 409, and the session was rolled back."""
    resp.status_code = 409
    resp.media = {"error": "A book with this title already exists."}


@app.route("/books", methods=["POST"])
@input(BookIn)
@output(BookOut, status_code=201)
@expect({409: (Conflict, "A book with this title already exists")})
@db.transaction
async def create_book(req, resp, *, data):
    """Add a book; @db.transaction commits it when the view returns."""
    resp.obj = await Book.create(**data)


@app.route("/books")
@output(BookOut, many=True)
async def list_books(req, resp):
    """Every book, oldest first (a plain SQLAlchemy query: CRUDMixin stays minimal)."""
    session = await req.db
    resp.obj = (await session.scalars(Book.select().order_by(Book.id))).all()


@app.route("/books/{id:int}")
@output(BookOut)
@expect({404: "No book has this id"})
async def get_book(req, resp, id):
    """One book, or 404."""
    await req.db
    book = await Book.get(id)
    if book is None:
        abort(404, f"No book with id {id}.")
    resp.obj = book


@app.route("/books/{id:int}", methods=["PATCH"])
@input(PriceUpdate)
@output(BookOut)
@expect({404: "No book has this id"})
@db.transaction
async def update_price(req, resp, id, *, data):
    """Change a book's price."""
    book = await Book.get(id)
    if book is None:
        abort(404, f"No book with id {id}.")
    resp.obj = await book.patch(price=data.price)


@app.route("/books/{id:int}", methods=["DELETE"])
@expect({204: "Deleted", 404: "No book has this id"})
@db.transaction
async def delete_book(req, resp, id):
    """Remove a book."""
    book = await Book.get(id)
    if book is None:
        abort(404, f"No book with id {id}.")
    await book.destroy()
    resp.status_code = 204


if __name__ == "__main__":
    app.run()
