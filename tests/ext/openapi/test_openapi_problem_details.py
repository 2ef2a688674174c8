"""With App(problem_details=True), a validated route's 400 is documented as a problem."""

from __future__ import annotations

import pytest

pytest.importorskip("pydantic")

from pydantic import BaseModel

import dyne
from dyne.ext.io.pydantic import input
from dyne.ext.openapi import OpenAPI


class Book(BaseModel):
    title: str


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_openapi_problem_details_validation_400_is_a_problem(
    tmp_path, monkeypatch, version, validate
):
    monkeypatch.chdir(tmp_path)
    app = dyne.App(problem_details=True)

    @app.route("/books", methods=["POST"])
    @input(Book)
    async def create(req, resp, *, data):
        pass

    spec = validate(OpenAPI(app, openapi=version).spec)
    content = spec["paths"]["/books"]["post"]["responses"]["400"]["content"]
    assert content == {
        "application/problem+json": {
            "schema": {
                "allOf": [
                    {"$ref": "#/components/schemas/Problem"},
                    {"$ref": "#/components/schemas/ValidationError"},
                ]
            }
        }
    }
    assert app.client.post("/books", json={}).json()["errors"]  # what the document says
