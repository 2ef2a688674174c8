"""Every example app imports and answers its main route."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import EXAMPLES, load_example


def test_helloworld_example_greets(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    app = load_example("helloworld").app
    assert app.client.get("/").text == "Hello, world!"
    assert app.client.get("/hello/dyne").json() == {"hello": "dyne"}
    app.client.close()


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.py")))
def test_example_has_a_test_that_runs_it(name):
    tests = Path(__file__).resolve().parent
    mentioned = (
        any(
            name in path.read_text(encoding="utf-8")
            for path in tests.rglob("test_*.py")
            if path.name != "test_examples.py"
        )
        or name == "helloworld"
    )
    assert mentioned, f"examples/{name}.py is not exercised by any test"
