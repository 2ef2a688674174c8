"""Validated input never lets a non-finite number through: no JSON response could carry it."""

from __future__ import annotations

import pytest

BODIES = [
    (b'{"title": "Dune", "price": 1e400}', "application/json"),
    (b'{"title": "Dune", "price": Infinity}', "application/json"),
    (b'{"title": "Dune", "price": NaN}', "application/json"),
    (b'{"title": "Dune", "price": "inf"}', "application/json"),
    (b'{"title": "Dune", "price": "nan"}', "application/json"),
    (b"title=Dune&price=inf", "application/x-www-form-urlencoded"),
    (b"title=Dune&price=1e400", "application/x-www-form-urlencoded"),
    (b"title: Dune\nprice: .inf\n", "application/x-yaml"),
]
IDS = ["json-1e400", "json-Infinity", "json-NaN", "json-str-inf", "json-str-nan", "form-inf"]
IDS += ["form-1e400", "yaml-inf"]


@pytest.fixture
def stored(app, lib):
    """The books a validated view stored."""
    books: list = []

    @app.route("/books", methods=["POST"])
    @lib.input(lib.Book)
    async def create(req, resp, *, data):
        books.append(dict(data))
        resp.media = dict(data)

    return books


@pytest.mark.parametrize(("body", "content_type"), BODIES, ids=IDS)
def test_input_non_finite_price_is_400_and_view_does_not_run(stored, client, body, content_type):
    response = client.post("/books", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert "errors" in response.json()
    assert stored == []


def test_input_non_finite_query_value_is_400(app, client):
    pytest.importorskip("pydantic")
    from pydantic import BaseModel

    from dyne.ext.io.pydantic import input

    class Near(BaseModel):
        lat: float

    @app.route("/near")
    @input(Near, location="query")
    async def near(req, resp, *, query):
        resp.media = {"lat": query.lat}

    response = client.get("/near", params={"lat": "-inf"})
    assert response.status_code == 400
    assert response.json() == {"errors": {"lat": ["Input should be a finite number"]}}


def test_input_non_finite_nested_value_names_its_path(app, client):
    pytest.importorskip("pydantic")
    from pydantic import BaseModel

    from dyne.ext.io.pydantic import input

    class Point(BaseModel):
        x: float

    class Shape(BaseModel):
        points: list[Point]

    @app.route("/shapes", methods=["POST"])
    @input(Shape)
    async def shapes(req, resp, *, data):
        resp.media = data

    response = client.post("/shapes", json={"points": [{"x": 1}, {"x": "inf"}]})
    assert response.json() == {"errors": {"points.1.x": ["Input should be a finite number"]}}


def test_input_pydantic_model_may_opt_in_to_non_finite_floats(app, client):
    pytest.importorskip("pydantic")
    from pydantic import BaseModel, ConfigDict

    from dyne.ext.io.pydantic import input

    class Reading(BaseModel):
        model_config = ConfigDict(allow_inf_nan=True)
        value: float

    @app.route("/readings", methods=["POST"])
    @input(Reading)
    async def readings(req, resp, *, data):
        resp.text = repr(data.value)

    assert client.post("/readings", json={"value": "inf"}).text == "inf"
    # The JSON grammar still has no Infinity: the body decoder refuses it whatever the model.
    refused = client.post(
        "/readings", content=b'{"value": Infinity}', headers={"Content-Type": "application/json"}
    )
    assert refused.status_code == 400


def test_input_finite_float_still_validates(stored, client):
    response = client.post("/books", json={"title": "Dune", "price": 1e308})
    assert response.status_code == 200
    assert stored == [{"title": "Dune", "price": 1e308}]


@pytest.mark.parametrize(
    "body",
    [{"title": "Dune", "price": True}, {"title": "Dune", "price": False}],
    ids=["true", "false"],
)
def test_input_boolean_for_a_number_is_400(stored, client, body):
    response = client.post("/books", json=body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["price"]
    assert stored == []


def test_input_boolean_for_a_boolean_field_still_validates(app, client):
    pytest.importorskip("pydantic")
    from pydantic import BaseModel

    from dyne.ext.io.pydantic import input

    class Flags(BaseModel):
        count: int
        active: bool

    @app.route("/flags", methods=["POST"])
    @input(Flags)
    async def flags(req, resp, *, data):
        resp.media = data

    assert client.post("/flags", json={"count": 2, "active": True}).json() == {
        "count": 2,
        "active": True,
    }
    assert client.post("/flags", json={"count": True, "active": True}).status_code == 400


def test_input_non_finite_number_in_an_extra_field_is_400(app, client):
    pytest.importorskip("pydantic")
    from pydantic import BaseModel, ConfigDict

    from dyne.ext.io.pydantic import input

    class Open(BaseModel):
        model_config = ConfigDict(extra="allow")
        title: str

    @app.route("/open", methods=["POST"])
    @input(Open)
    async def open_view(req, resp, *, data):
        resp.media = data

    body = b'{"title": "Dune", "weight": 1e400}'
    response = client.post("/open", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert client.post("/open", json={"title": "Dune", "weight": 2.5}).json() == {
        "title": "Dune",
        "weight": 2.5,
    }


def _bool_number_models():
    """Models whose only numbers hide in nested models, unions, containers and literals."""
    from enum import IntEnum
    from typing import Literal

    from pydantic import BaseModel

    class Level(IntEnum):
        LOW = 1

    class Inner(BaseModel):
        count: int

    class Nested(BaseModel):
        name: str
        inner: Inner

    class Optional_(BaseModel):
        name: str
        count: int | None = None

    class Listed(BaseModel):
        counts: list[int]

    class Mapped(BaseModel):
        counts: dict[str, int]

    class Literal_(BaseModel):
        one: Literal[1]

    class Enumerated(BaseModel):
        level: Level

    return {
        "nested": (Nested, {"name": "x", "inner": {"count": True}}),
        "optional": (Optional_, {"name": "x", "count": True}),
        "list": (Listed, {"counts": [1, True]}),
        "dict": (Mapped, {"counts": {"a": True}}),
        "literal": (Literal_, {"one": True}),
        "intenum": (Enumerated, {"level": True}),
    }


@pytest.mark.parametrize("kind", ["nested", "optional", "list", "dict", "literal", "intenum"])
def test_input_boolean_for_a_number_anywhere_in_the_model_is_400(app, client, kind):
    pytest.importorskip("pydantic")
    from dyne.ext.io.pydantic import input

    model, body = _bool_number_models()[kind]

    @app.route("/things", methods=["POST"])
    @input(model)
    async def things(req, resp, *, data):
        resp.media = data

    assert client.post("/things", json=body).status_code == 400


def test_input_booleans_in_a_model_without_numbers_still_validate(app, client):
    pytest.importorskip("pydantic")
    from pydantic import BaseModel

    from dyne.ext.io.pydantic import input

    class Inner(BaseModel):
        on: bool

    class Switches(BaseModel):
        name: str
        active: bool
        tags: list[str]
        inner: Inner

    @app.route("/switches", methods=["POST"])
    @input(Switches)
    async def switches(req, resp, *, data):
        resp.media = data

    body = {"name": "true", "active": False, "tags": ["false"], "inner": {"on": True}}
    assert client.post("/switches", json=body).json() == body


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"count": 1, "ratio": 0.0, "active": True}, 200),
        ({"count": 0, "ratio": 1.0, "active": False}, 200),
        ({"count": True, "ratio": 0.5, "active": True}, 400),
        ({"count": 2, "ratio": False, "active": True}, 400),
    ],
    ids=["one-and-zero", "zero-and-one", "true-count", "false-ratio"],
)
def test_input_zero_or_one_beside_a_boolean_is_told_apart_from_a_boolean(app, client, body, status):
    pytest.importorskip("pydantic")
    from pydantic import BaseModel, Field

    from dyne.ext.io.pydantic import input

    class Counter(BaseModel):
        count: int = Field(ge=0)
        ratio: float | None = None
        active: bool

    @app.route("/counters", methods=["POST"])
    @input(Counter)
    async def counters(req, resp, *, data):
        resp.media = data

    response = client.post("/counters", json=body)
    assert response.status_code == status
    if status == 200:
        assert response.json() == body
