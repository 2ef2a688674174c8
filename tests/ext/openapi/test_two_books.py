"""A pydantic ``Book`` and a marshmallow ``Book`` in one app: two components, two names."""

from __future__ import annotations

import pytest

from dyne.ext.openapi import OpenAPI

pytest.importorskip("pydantic")
pytest.importorskip("marshmallow")
pytest.importorskip("apispec")


def _pydantic_book():
    from pydantic import BaseModel

    class Book(BaseModel):
        title: str
        price: float

    return Book


def _marshmallow_book():
    from marshmallow import Schema, fields

    class Book(Schema):
        isbn = fields.Str(required=True)

    return Book


@pytest.mark.parametrize("openapi", ["3.0.3", "3.1.0"])
def test_two_books_get_distinct_components(app, validate, openapi):
    from dyne.ext.io import marshmallow as mm
    from dyne.ext.io import pydantic as pd

    @app.route("/a", methods=["POST"])
    @pd.input(_pydantic_book())
    @pd.output(_pydantic_book(), many=False)
    async def a(req, resp, *, data):
        resp.obj = data

    @app.route("/b")
    @mm.output(_marshmallow_book(), many=False)
    async def b(req, resp):
        resp.obj = {"isbn": "123"}

    spec = validate(OpenAPI(app, openapi=openapi).spec)
    schemas = spec["components"]["schemas"]
    refs = {
        path: item[method]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        for path, item in spec["paths"].items()
        for method in item
    }
    assert refs["/a"] != refs["/b"]
    assert set(schemas[refs["/a"].rsplit("/", 1)[1]]["properties"]) == {"title", "price"}
    assert set(schemas[refs["/b"].rsplit("/", 1)[1]]["properties"]) == {"isbn"}
    assert {"Book", "Book2"} <= set(schemas)


def test_two_books_same_model_twice_is_one_component(app):
    from dyne.ext.io import pydantic as pd

    book = _pydantic_book()

    @app.route("/a", methods=["POST"])
    @pd.input(book)
    @pd.output(book, status_code=201)
    async def a(req, resp, *, data):
        resp.obj = data

    schemas = OpenAPI(app).spec["components"]["schemas"]
    assert [name for name in schemas if name.startswith("Book")] == ["Book"]
