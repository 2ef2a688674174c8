"""A small book store documented with OpenAPI, mixing pydantic and marshmallow schemas.

Run it with ``python examples/openapi_app.py`` and open http://127.0.0.1:5042/docs
(the spec itself is at /schema.yml and /openapi.json). ``DOCS_THEME`` picks the page
(swaggerui, redoc, rapidoc or elements) and ``OPENAPI_VERSION`` the spec's version.

Both libraries define a "Book" here (pydantic's ``Book``, marshmallow's ``BookSchema``):
the document keeps them apart as ``Book`` and ``Book2``.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from pydantic import BaseModel, ConfigDict, Field

import dyne
from dyne.ext.auth import BasicAuth, authenticate
from dyne.ext.io import marshmallow as mm
from dyne.ext.io import pydantic as pd
from dyne.ext.io.marshmallow.fields import FileField
from dyne.ext.openapi import OpenAPI

description = """
A book store.

Books are created and priced through pydantic models; the catalog and the cover
uploads use marshmallow schemas. Writing needs HTTP Basic credentials of an admin
(`admin` / `password123` in this example).
"""

app = dyne.App()
api = OpenAPI(
    app,
    title="Book Store",
    version="1.0",
    description=description,
    contact={"name": "Support", "email": "support@example.com"},
    license={"name": "Apache 2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},
    openapi=app.config.get("OPENAPI_VERSION", default="3.0.3"),
    theme=app.config.get("DOCS_THEME", default="swaggerui"),
)

# -- storage (in memory: the example is about the documentation) ---------------------------

BOOKS: dict[int, dict] = {
    1: {"id": 1, "title": "Dune", "price": 9.5, "cover": None},
    2: {"id": 2, "title": "Solaris", "price": 7.0, "cover": None},
}

# -- pydantic models ------------------------------------------------------------------------


class Book(BaseModel):
    """A book as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    price: float
    cover: str | None = None


class BookIn(BaseModel):
    """What a new book needs."""

    title: str = Field(min_length=1, max_length=200, description="The book's title")
    price: float = Field(gt=0, le=10_000, description="Price in euros")


class PriceUpdate(BaseModel):
    """A new price for a book."""

    price: float = Field(gt=0, le=10_000)


class NotFound(BaseModel):
    """The answer when a book does not exist."""

    error: str = Field("not_found", description="The error code")
    detail: str


class ApiKeyHeaders(BaseModel):
    """Headers of the partner endpoint."""

    x_api_key: str = Field(alias="X-API-Key", min_length=1)


class Event(BaseModel):
    """A notification a partner sends us."""

    kind: str = Field(min_length=1, max_length=50)
    book_id: int = Field(ge=0)


class Ack(BaseModel):
    """We got it."""

    status: str


# -- marshmallow schemas --------------------------------------------------------------------


class BookSchema(Schema):
    """A catalog entry."""

    id = fields.Integer(dump_only=True)
    title = fields.Str()
    price = fields.Float()
    cover = fields.Str(allow_none=True)


class PageSchema(Schema):
    """Which slice of the catalog to list."""

    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=1000))
    limit = fields.Int(load_default=10, validate=validate.Range(min=1, max=100))


class CoverSchema(Schema):
    """A cover image upload."""

    image = FileField(required=True, allowed_extensions=["png", "jpg"], max_size=1024 * 1024)


# -- authentication -------------------------------------------------------------------------

users = {"john": "password", "admin": "password123"}
roles = {"john": "user", "admin": ["user", "admin"]}

basic_auth = BasicAuth()


@basic_auth.verify_password
async def verify_password(username, password):
    if username in users and users.get(username) == password:
        return username
    return None


@basic_auth.get_user_roles
async def get_user_roles(user):
    return roles.get(user)


# -- routes ---------------------------------------------------------------------------------


def _missing(resp, book_id):
    resp.status_code = 404
    resp.media = {"error": "not_found", "detail": f"No book has the id {book_id}."}


@app.route("/catalog")
@mm.input(PageSchema, location="query")
@mm.output(BookSchema(many=True))
async def catalog(req, resp, *, query):
    """
    List the catalog
    ---
    One page of books, in the order they were added.
    """
    start = (query["page"] - 1) * query["limit"]
    resp.obj = list(BOOKS.values())[start : start + query["limit"]]


@app.route("/books", methods=["POST"])
@authenticate(basic_auth, role="admin")
@pd.input(BookIn)
@pd.output(Book, status_code=201, description="The book, with its new id")
async def create_book(req, resp, *, data):
    """
    Add a book
    ---
    Admins only. The body may be JSON, a form or YAML.
    """
    book_id = max(BOOKS, default=0) + 1
    BOOKS[book_id] = {"id": book_id, "title": data["title"], "price": data["price"], "cover": None}
    resp.obj = BOOKS[book_id]


@app.route("/books/{book_id:int}")
@pd.output(Book)
@pd.expect({404: (NotFound, "No book has this id")})
async def get_book(req, resp, book_id):
    """Show one book."""
    if book_id not in BOOKS:
        return _missing(resp, book_id)
    resp.obj = BOOKS[book_id]


@app.route("/books/{book_id:int}/price", methods=["PATCH"])
@pd.webhook(name="price_changed")
@pd.input(PriceUpdate)
@pd.output(Book)
@pd.expect({404: NotFound})
async def update_price(req, resp, book_id, *, data):
    """
    Change a book's price
    ---
    Price feeds call this endpoint when a price changes.
    """
    if book_id not in BOOKS:
        return _missing(resp, book_id)
    BOOKS[book_id]["price"] = data.price
    resp.obj = BOOKS[book_id]


@app.route("/books/{book_id:int}/cover", methods=["PUT"])
@authenticate(basic_auth, role="admin")
@mm.input(CoverSchema, location="form")
@mm.output(BookSchema)
@mm.expect({404: "No book has this id"})
async def upload_cover(req, resp, book_id, *, data):
    """
    Upload a cover
    ---
    A PNG or JPEG image of at most 1 MiB.
    """
    if book_id not in BOOKS:
        resp.status_code = 404
        return
    BOOKS[book_id]["cover"] = data["image"].filename
    resp.obj = BOOKS[book_id]


@app.route("/partner/events", methods=["POST"])
@pd.webhook(name="book_events")
@pd.input(ApiKeyHeaders, location="headers")
@pd.input(Event)
@pd.output(Ack, status_code=202)
async def partner_event(req, resp, *, headers, data):
    """Receive a partner's notification about a book."""
    resp.obj = {"status": "Received!"}


if __name__ == "__main__":
    app.run()
