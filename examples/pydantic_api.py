"""A small book API validated and serialized with pydantic, with a cover upload.

Run it with ``python examples/pydantic_api.py`` and try::

    curl -X POST localhost:5042/books -H 'content-type: application/json' \\
         -d '{"title": "Dune", "price": 9.5}'
    curl 'localhost:5042/books?limit=5'
    curl -X POST localhost:5042/books/1/cover -F image=@cover.png
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

import dyne
from dyne.exceptions import abort
from dyne.ext.io.pydantic import expect, input, output
from dyne.ext.io.pydantic.fields import FileField

UPLOADS = Path(os.environ.get("UPLOADS_DIR", "uploads"))

app = dyne.App()
books: dict[int, dict] = {}


class BookIn(BaseModel):
    title: str = Field(min_length=1)
    price: float = Field(gt=0)


class BookOut(BaseModel):
    id: int
    title: str
    price: float
    cover: str | None = None
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel):
    offset: int = Field(0, ge=0)
    limit: int = Field(10, ge=1, le=100)


class Cover(FileField):
    max_size = 2 * 1024 * 1024
    allowed_extensions = {"png", "jpg", "jpeg"}
    sanitize_filename = True


class CoverUpload(BaseModel):
    image: Cover


@app.route("/books", methods=["POST"])
@input(BookIn)
@output(BookOut, status_code=201)
async def create_book(req, resp, *, data):
    book_id = len(books) + 1
    books[book_id] = {"id": book_id, "cover": None, **data}
    resp.obj = books[book_id]


@app.route("/books")
@input(Page, location="query")
@output(BookOut, many=True)
async def list_books(req, resp, *, query):
    resp.obj = list(books.values())[query.offset : query.offset + query.limit]


@app.route("/books/{id:int}/cover", methods=["POST"])
@input(CoverUpload, location="form")
@output(BookOut)
@expect({404: "No such book"})
async def upload_cover(req, resp, id, *, data):
    book = books.get(id) or abort(404)
    image = data.image
    await image.asave(UPLOADS / f"{id}-{image.filename}")
    book["cover"] = image.filename
    resp.obj = book


if __name__ == "__main__":
    app.run()
