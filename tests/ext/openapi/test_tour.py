"""The tour's "Full Example: Creating a Book with File Upload": marshmallow, BasicAuth,
Alchemical and @db.transaction, documented and working."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from support import load_module

for package in ("marshmallow", "apispec", "alchemical", "aiosqlite"):
    pytest.importorskip(package)

EXAMPLE = Path(__file__).with_name("tour_full_example.py")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def tour(tmp_path, monkeypatch, forget_models):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "uploads").mkdir()
    module = load_module(EXAMPLE, "tour_full_example")
    # The tour's example leaves creating the table to the reader.
    module.app.on_event("startup", module.db.create_all)
    yield module
    module.app.client.close()


@pytest.fixture
def operation(tour):
    return tour.api.spec["paths"]["/book"]["post"]


def _component(spec, ref):
    if "anyOf" in ref:  # an @output without many=: one object, or a list of them
        ref = ref["anyOf"][0]
    return spec["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_tour_spec_validates(tour, validate, version):
    tour.api.openapi = version
    assert validate(tour.api.spec)["openapi"] == version


def test_tour_spec_has_the_basic_security_scheme(tour, operation):
    spec = tour.api.spec
    assert spec["components"]["securitySchemes"]["basicAuth"] == {"type": "http", "scheme": "basic"}
    assert operation["security"] == [{"basicAuth": []}]


def test_tour_spec_names_the_admin_role(operation):
    assert "**Required role:** admin" in operation["description"]


def test_tour_spec_takes_summary_and_description_from_the_docstring(operation):
    assert operation["summary"] == "Create a new Book"
    assert operation["description"].startswith("This endpoint allows admins to upload")


def test_tour_spec_body_is_multipart_with_a_binary_image(tour, operation):
    content = operation["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    schema = _component(tour.api.spec, content["multipart/form-data"]["schema"])
    assert schema["properties"]["image"] == {"type": "string", "format": "binary"}
    assert set(schema["required"]) == {"price", "title"}


def test_tour_spec_201_response_is_book_schema(tour, operation):
    response = operation["responses"]["201"]
    schema = _component(tour.api.spec, response["content"]["application/json"]["schema"])
    assert set(schema["properties"]) == {"id", "price", "title", "cover_url"}


def test_tour_spec_lists_the_expected_400_and_401(operation):
    assert operation["responses"]["400"] == {"description": "Invalid file format"}
    assert operation["responses"]["401"]["description"] == "Unauthorized"
    assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]


def test_tour_spec_info_carries_the_description(tour):
    assert tour.api.spec["info"]["description"].startswith("User Management API\n")


def test_tour_schema_yml_and_docs_are_served(tour):
    client = tour.app.client
    assert "multipart/form-data" in client.get("/schema.yml").text
    assert client.get("/docs").status_code == 200


def test_tour_admin_creates_a_book(tour, tmp_path):
    response = tour.app.client.post(
        "/book",
        data={"title": "Dune", "price": "9.5"},
        files={"image": ("cover.png", PNG, "image/png")},
        headers=_basic("admin", "password123"),
    )
    assert response.status_code == 201, response.text
    assert response.json()["title"] == "Dune"
    assert (tmp_path / "uploads" / "cover.png").read_bytes() == PNG


def test_tour_wrong_password_is_refused(tour):
    response = tour.app.client.post(
        "/book",
        data={"title": "Dune", "price": "9.5"},
        files={"image": ("cover.png", PNG, "image/png")},
        headers=_basic("admin", "nope"),
    )
    assert (response.status_code, response.text) == (401, "Invalid credentials")
