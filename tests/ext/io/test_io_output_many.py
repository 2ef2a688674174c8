"""@output(..., many=): a list output is declared, and a view that answers the other shape
is a logged server error, never a body its OpenAPI document does not describe."""

from __future__ import annotations

import pytest

BOOKS = [{"id": 1, "title": "Dune", "price": 9.5}, {"id": 2, "title": "Emma", "price": 4.0}]


def _route(app, lib, obj, **options):
    @app.route("/books")
    @lib.output(lib.BookOut, **options)
    async def books(req, resp):
        resp.obj = obj


def test_output_many_true_serializes_a_list(app, client, lib):
    _route(app, lib, BOOKS, many=True)
    assert client.get("/books").json() == BOOKS


def test_output_many_true_serializes_a_generator(app, client, lib):
    _route(app, lib, (book for book in BOOKS), many=True)
    assert client.get("/books").json() == BOOKS


def test_output_many_false_refuses_a_list_with_a_logged_500(app, client, lib, caplog):
    _route(app, lib, BOOKS, many=False)
    with caplog.at_level("ERROR", logger="dyne"):
        response = client.get("/books")
    assert response.status_code == 500
    assert "many=True" in caplog.text


def test_output_many_true_refuses_one_object_with_a_logged_500(app, client, lib, caplog):
    _route(app, lib, BOOKS[0], many=True)
    with caplog.at_level("ERROR", logger="dyne"):
        response = client.get("/books")
    assert response.status_code == 500
    assert "many=False" in caplog.text


def test_output_without_many_accepts_one_object_or_a_list(app, client, lib):
    _route(app, lib, BOOKS)
    assert client.get("/books").json() == BOOKS


def test_output_many_rejects_a_non_boolean(lib):
    with pytest.raises(TypeError, match="many="):
        lib.output(lib.BookOut, many="yes")


def test_output_marshmallow_many_schema_with_many_false_raises():
    pytest.importorskip("marshmallow")
    from marshmallow import Schema, fields

    from dyne.ext.io.marshmallow import output

    class BookSchema(Schema):
        title = fields.Str()

    with pytest.raises(ValueError, match="many=True and many=False"):
        output(BookSchema(many=True), many=False)
