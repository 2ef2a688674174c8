"""Marshmallow's exclusive Range bounds reach the document (apispec alone drops them)."""

from __future__ import annotations

import pytest

pytest.importorskip("marshmallow")
pytest.importorskip("apispec")

from marshmallow import Schema, fields, validate

from dyne.ext.io.marshmallow import input
from dyne.ext.openapi import OpenAPI


class Offer(Schema):
    price = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False))
    share = fields.Float(validate=validate.Range(min=0, max=1, max_inclusive=False))
    stock = fields.Int(validate=validate.Range(min=0, max=100))


def _properties(app, validate, version):
    @app.route("/offers", methods=["POST"])
    @input(Offer)
    async def offers(req, resp, *, data):
        pass

    spec = validate(OpenAPI(app, openapi=version).spec)
    return spec["components"]["schemas"]["Offer"]["properties"]


def test_exclusive_bounds_31_numeric_form(app, validate):
    properties = _properties(app, validate, "3.1.0")
    assert properties["price"] == {"type": "number", "exclusiveMinimum": 0}
    assert properties["share"] == {"type": "number", "minimum": 0, "exclusiveMaximum": 1}


def test_exclusive_bounds_30_boolean_form(app, validate):
    properties = _properties(app, validate, "3.0.3")
    assert properties["price"] == {"type": "number", "minimum": 0, "exclusiveMinimum": True}
    assert properties["share"]["maximum"] == 1
    assert properties["share"]["exclusiveMaximum"] is True


def test_exclusive_bounds_inclusive_range_unchanged(app, validate):
    properties = _properties(app, validate, "3.0.3")
    assert properties["stock"] == {"type": "integer", "minimum": 0, "maximum": 100}
