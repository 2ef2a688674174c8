"""The marshmallow extra: @input validation (body, query, form upload) and @output."""

from __future__ import annotations

import tempfile
from pathlib import Path

from _check import check, status
from marshmallow import Schema, fields, validate

import dyne
from dyne.ext.io.marshmallow import input, output
from dyne.ext.io.marshmallow.fields import FileField


class BookIn(Schema):
    """A book to add."""

    title = fields.Str(required=True, validate=validate.Length(min=1))
    price = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False))


class BookOut(Schema):
    """A book as shown."""

    id = fields.Int()
    title = fields.Str()
    price = fields.Float()


class Page(Schema):
    """Paging."""

    limit = fields.Int(load_default=10, validate=validate.Range(min=1, max=100))


class CoverUpload(Schema):
    """The upload form."""

    image = FileField(
        required=True, allowed_extensions=["png"], max_size=1024 * 1024, sanitize_filename=True
    )


def make_app(uploads: Path) -> dyne.App:
    """A small validated API."""
    app = dyne.App()
    books: list[dict] = []

    @app.route("/books", methods=["POST"])
    @input(BookIn)
    @output(BookOut, status_code=201)
    async def create(req, resp, *, data):
        books.append({"id": len(books) + 1, **data})
        resp.obj = books[-1]

    @app.route("/books")
    @input(Page, location="query")
    async def listing(req, resp, *, query):
        resp.media = books[: query.limit]

    @app.route("/cover", methods=["POST"])
    @input(CoverUpload, location="form")
    async def cover(req, resp, *, data):
        await data.image.asave(uploads / data.image.filename)
        resp.media = {"saved": data.image.filename}

    return app


def main() -> None:
    """Run the checks."""
    with tempfile.TemporaryDirectory() as folder:
        client = make_app(Path(folder)).client
        reply = client.post("/books", json={"title": "Dune", "price": 9.5})
        check(status(reply, 201, "create").json() == {"id": 1, "title": "Dune", "price": 9.5}, "")
        errors = status(client.post("/books", json={"title": "", "price": -1}), 400, "invalid")
        check(set(errors.json()["errors"]) == {"title", "price"}, f"errors: {errors.text}")
        status(client.get("/books?limit=0"), 400, "invalid query")
        check(len(status(client.get("/books?limit=5"), 200, "list").json()) == 1, "list")
        png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
        reply = client.post("/cover", files={"image": ("../a b.png", png, "image/png")})
        saved = status(reply, 200, "upload").json()["saved"]
        check("/" not in saved and (Path(folder) / saved).read_bytes() == png, "saved upload")
        status(client.post("/cover", files={"image": ("x.exe", b"MZ", "x")}), 400, "bad ext")
        client.close()


if __name__ == "__main__":
    main()
