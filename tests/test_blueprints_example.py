"""examples/blueprints_app.py with examples/blueprints_admin.py: an app split into two
modules with blueprints, exercised through app.client."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

from support import EXAMPLES, load_example

ADMIN = {"Authorization": "Bearer admin-secret-token"}
READER = {"Authorization": "Bearer reader-token"}


@pytest.fixture
def example(monkeypatch, tmp_path) -> Iterator[Any]:
    """The example app, freshly imported (its admin module too), run from an empty folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(EXAMPLES))  # as `python examples/blueprints_app.py` has it
    monkeypatch.delitem(sys.modules, "blueprints_admin", raising=False)
    module = load_example("blueprints_app")
    yield module
    module.app.client.close()


def test_blueprints_example_lists_books_with_links(example):
    books = example.app.client.get("/books/").json()
    assert books[0] == {"title": "Dune", "url": "/books/1"}


def test_blueprints_example_home_links_both_areas(example):
    assert example.app.client.get("/").json() == {"books": "/books/", "admin": "/admin/"}


def test_blueprints_example_admin_refuses_anonymous(example):
    assert example.app.client.get("/admin/").status_code == 401


def test_blueprints_example_admin_refuses_a_reader(example):
    assert example.app.client.get("/admin/", headers=READER).status_code == 403


def test_blueprints_example_admin_refused_delete_changes_nothing(example):
    assert example.app.client.delete("/admin/books/2", headers=READER).status_code == 403
    assert example.app.client.get("/books/2").status_code == 200


def test_blueprints_example_admin_deletes_a_book(example):
    assert example.app.client.delete("/admin/books/2", headers=ADMIN).status_code == 204
    assert example.app.client.get("/books/2").status_code == 404


def test_blueprints_example_admin_error_handler_answers_locked_books(example):
    answer = example.app.client.delete("/admin/books/3", headers=ADMIN)
    assert (answer.status_code, answer.json()) == (409, {"error": "book 3 is locked"})


def test_blueprints_example_admin_hook_audits_only_admin_requests(example):
    import blueprints_admin

    example.app.client.get("/books/")
    example.app.client.get("/admin/", headers=ADMIN)
    assert blueprints_admin.AUDIT == ["GET /admin/"]
