"""examples/graphql_strawberry.py and examples/graphql_graphene.py answer the tour's operations
with exactly the tour's JSON."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

TOUR = [
    ("query {\n  hello\n}", {"data": {"hello": "Hello stranger"}}),
    ('query {\n  hello(name: "Alice")\n}', {"data": {"hello": "Hello Alice"}}),
    (
        'mutation {\n  createMessage(name: "Alice", message: "GraphQL is awesome!") {\n'
        "    ok\n    message\n  }\n}",
        {
            "data": {
                "createMessage": {
                    "ok": True,
                    "message": "Message from Alice: GraphQL is awesome!",
                }
            }
        },
    ),
]


@pytest.fixture(params=["graphql_strawberry", "graphql_graphene"])
def example_app(request, tmp_path, monkeypatch):
    """The example's app, imported fresh from examples/."""
    pytest.importorskip(request.param.removeprefix("graphql_"))
    monkeypatch.chdir(tmp_path)
    spec = importlib.util.spec_from_file_location(
        f"example_{request.param}", EXAMPLES / f"{request.param}.py"
    )
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    yield module.app
    module.app.client.close()


@pytest.mark.parametrize(("document", "expected"), TOUR, ids=["hello", "hello_alice", "mutation"])
def test_example_answers_the_tour_operation_exactly(example_app, document, expected):
    response = example_app.client.post("http://;/graphql", json={"query": document})
    assert response.status_code == 200
    assert response.json() == expected


def test_example_shows_graphiql_to_a_browser(example_app):
    response = example_app.client.get("/graphql", headers={"accept": "text/html"})
    assert "<title>GraphiQL</title>" in response.text
