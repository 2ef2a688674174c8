"""examples/books_db.py: the book store works end to end on each database."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("dyne.ext.io.pydantic")

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "books_db.py"


@pytest.fixture
def store(database, tmp_path, monkeypatch):
    """The example's app, imported fresh, with its client closed after the test."""
    monkeypatch.chdir(tmp_path)
    spec = importlib.util.spec_from_file_location("example_books_db", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    client = module.app.client
    yield client
    client.close()


def test_books_db_create_list_update_delete(store):
    created = store.post("/books", json={"title": "Dune", "price": 9.5})
    assert (created.status_code, created.json()) == (201, {"id": 1, "title": "Dune", "price": 9.5})
    assert store.get("/books").json() == [{"id": 1, "title": "Dune", "price": 9.5}]
    updated = store.patch("/books/1", json={"price": 12})
    assert updated.json() == {"id": 1, "title": "Dune", "price": 12.0}
    assert store.get("/books/1").json()["price"] == 12.0
    assert store.delete("/books/1").status_code == 204
    assert store.get("/books").json() == []


def test_books_db_invalid_input_is_400_and_stores_nothing(store):
    response = store.post("/books", json={"title": "Free", "price": -1})
    assert response.status_code == 400
    assert "price" in response.json()["errors"]
    assert store.get("/books").json() == []


def test_books_db_duplicate_title_is_409_then_store_still_works(store):
    assert store.post("/books", json={"title": "Dune", "price": 9.5}).status_code == 201
    duplicate = store.post("/books", json={"title": "Dune", "price": 1})
    assert duplicate.status_code == 409
    assert duplicate.json() == {"error": "A book with this title already exists."}
    assert store.post("/books", json={"title": "Emma", "price": 5}).status_code == 201
    assert [b["title"] for b in store.get("/books").json()] == ["Dune", "Emma"]


def test_books_db_missing_book_is_404(store):
    assert store.get("/books/42").status_code == 404
    assert store.patch("/books/42", json={"price": 3}).status_code == 404
    assert store.delete("/books/42").status_code == 404


def test_books_db_duplicate_title_is_not_logged_as_unhandled(store, caplog):
    assert store.post("/books", json={"title": "Dune", "price": 9.5}).status_code == 201
    with caplog.at_level("ERROR", logger="dyne"):
        assert store.post("/books", json={"title": "Dune", "price": 1}).status_code == 409
    assert [r.getMessage() for r in caplog.records if "Unhandled" in r.getMessage()] == []


def test_books_db_id_past_the_integer_range_is_404(store):
    too_big = 2**63
    assert store.get(f"/books/{too_big}").status_code == 404
    assert store.patch(f"/books/{too_big}", json={"price": 3}).status_code == 404
    assert store.delete(f"/books/{too_big}").status_code == 404


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"title": "Dune", "price": 1e400}', "application/json"),
        (b'{"title": "Dune", "price": Infinity}', "application/json"),
        (b'{"title": "Dune", "price": "inf"}', "application/json"),
        (b"title=Dune&price=inf", "application/x-www-form-urlencoded"),
        (b"title: Dune\nprice: .inf\n", "application/x-yaml"),
    ],
    ids=["json-1e400", "json-Infinity", "json-str-inf", "form-inf", "yaml-inf"],
)
def test_books_db_non_finite_price_is_400_and_list_still_works(store, body, content_type):
    response = store.post("/books", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 400
    listed = store.get("/books")
    assert (listed.status_code, listed.json()) == (200, [])


@pytest.fixture
def example(database, tmp_path, monkeypatch):
    """The example module itself, imported fresh (to add a route to its app)."""
    monkeypatch.chdir(tmp_path)
    spec = importlib.util.spec_from_file_location("example_books_db_module", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    yield module
    module.app.client.close()


def test_books_db_unencodable_response_leaves_no_row(example):
    @example.app.route("/broken", methods=["POST"])
    @example.db.transaction
    async def broken(req, resp):
        await example.Book.create(title="Written", price=1.0)
        resp.media = {"price": float("nan")}  # JSON cannot carry it: encoding fails

    client = example.app.client
    assert client.post("/broken").status_code == 500
    listed = client.get("/books")
    assert (listed.status_code, listed.json()) == (200, [])


def test_books_db_transaction_commits_before_the_response_is_sent(example):
    created = example.app.client.post("/books", json={"title": "Dune", "price": 9.5})
    assert created.status_code == 201
    assert example.app.client.get(f"/books/{created.json()['id']}").status_code == 200
