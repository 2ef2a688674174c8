"""A small book API validated and serialized with marshmallow, with a cover upload.

Run it with ``python examples/marshmallow_api.py`` and try::

    curl -X POST localhost:5042/books -H 'content-type: application/json' \\
         -d '{"title": "Dune", "price": 9.5}'
    curl 'localhost:5042/books?limit=5'
    curl -X POST localhost:5042/books/1/cover -F image=@cover.png
"""

from __future__ import annotations

import os
from pathlib import Path

from marshmallow import Schema, fields, validate

import dyne
from dyne.exceptions import abort
from dyne.ext.io.marshmallow import expect, input, output
from dyne.ext.io.marshmallow.fields import FileField

UPLOADS = Path(os.environ.get("UPLOADS_DIR", "uploads"))

app = dyne.App()
books: dict[int, dict] = {}


class BookInSchema(Schema):
    title = fields.Str(required=True, validate=validate.Length(min=1))
    price = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False))


class BookSchema(Schema):
    id = fields.Int()
    title = fields.Str()
    price = fields.Float()
    cover = fields.Str(allow_none=True)


class PageSchema(Schema):
    offset = fields.Int(load_default=0, validate=validate.Range(min=0))
    limit = fields.Int(load_default=10, validate=validate.Range(min=1, max=100))


class CoverSchema(Schema):
    image = FileField(
        required=True,
        allowed_extensions=["png", "jpg", "jpeg"],
        max_size=2 * 1024 * 1024,
        sanitize_filename=True,
    )


@app.route("/books", methods=["POST"])
@input(BookInSchema)
@output(BookSchema, status_code=201)
async def create_book(req, resp, *, data):
    book_id = len(books) + 1
    books[book_id] = {"id": book_id, "cover": None, **data}
    resp.obj = books[book_id]


@app.route("/books")
@input(PageSchema, location="query")
@output(BookSchema(many=True))
async def list_books(req, resp, *, query):
    resp.obj = list(books.values())[query.offset : query.offset + query.limit]


@app.route("/books/{id:int}/cover", methods=["POST"])
@input(CoverSchema, location="form")
@output(BookSchema)
@expect({404: "No such book"})
async def upload_cover(req, resp, id, *, data):
    book = books.get(id) or abort(404)
    image = data.image
    await image.asave(UPLOADS / f"{id}-{image.filename}")
    book["cover"] = image.filename
    resp.obj = book


if __name__ == "__main__":
    app.run()
