"""The two io examples, driven the way their docstrings say."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture(params=["pydantic_api", "marshmallow_api"])
def example(request, tmp_path, monkeypatch):
    """A fresh import of one example app, saving uploads under ``tmp_path``."""
    pytest.importorskip(request.param.removesuffix("_api"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("UPLOADS_DIR", str(tmp_path / "uploads"))
    spec = importlib.util.spec_from_file_location(
        f"example_{request.param}", EXAMPLES / f"{request.param}.py"
    )
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_example_creates_lists_and_uploads(example, tmp_path):
    client = example.app.client
    r = client.post("/books", json={"title": "Dune", "price": 9.5})
    assert (r.status_code, r.json()) == (
        201,
        {"id": 1, "title": "Dune", "price": 9.5, "cover": None},
    )
    client.post("/books", json={"title": "Emma", "price": 3})
    assert [b["title"] for b in client.get("/books?offset=1").json()] == ["Emma"]
    r = client.post("/books/1/cover", files={"image": ("../My Cover.png", b"png", "image/png")})
    assert r.json()["cover"] == "My_Cover.png"
    assert (tmp_path / "uploads" / "1-My_Cover.png").read_bytes() == b"png"
    client.close()


def test_example_rejects_bad_input(example):
    client = example.app.client
    assert list(client.post("/books", json={"title": "", "price": -1}).json()["errors"]) == [
        "title",
        "price",
    ]
    assert client.get("/books?limit=1000").status_code == 400
    assert client.post("/books/9/cover", files={"image": ("a.png", b"1")}).status_code == 404
    assert client.post("/books/9/cover", files={"image": ("a.gif", b"1")}).status_code == 400
    client.close()
