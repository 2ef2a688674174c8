"""Fixtures for the GraphQL tests: the same schema written for each backend."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import dyne

BACKENDS = ["strawberry", "graphene"]

# The Strawberry test schema is a module of its own in this folder.
sys.path.insert(0, str(Path(__file__).resolve().parent))


def strawberry_schema() -> Any:
    """The test schema with Strawberry (types live in a module: Strawberry resolves by name)."""
    pytest.importorskip("strawberry")
    from graphql_strawberry_schema import schema

    return schema()


def graphene_schema() -> Any:
    """The test schema with Graphene."""
    graphene = pytest.importorskip("graphene")
    from dyne.ext.graphql.graphene import Schema

    class CreateMessage(graphene.Mutation):
        class Arguments:
            name = graphene.String(required=True)
            message = graphene.String(required=True)

        ok = graphene.Boolean()
        message = graphene.String()

        def mutate(self, info, name, message):
            info.context["request"].app.state.calls.append("create_message")
            return CreateMessage(ok=True, message=f"Message from {name}: {message}")

    class Node(graphene.ObjectType):
        value = graphene.Int(required=True)
        child = graphene.Field(graphene.NonNull(lambda: Node))

        def resolve_child(self, info):
            info.context["request"].app.state.calls.append("child")
            return Node(value=self.value + 1)

    class Query(graphene.ObjectType):
        hello = graphene.String(name=graphene.String(default_value="stranger"))
        whoami = graphene.String()
        later = graphene.String()
        node = graphene.Field(graphene.NonNull(Node))
        boom = graphene.String()

        def resolve_hello(self, info, name):
            info.context["request"].app.state.calls.append("hello")
            return f"Hello {name}"

        def resolve_whoami(self, info):
            info.context["response"].set_cookie("seen", "yes")
            info.context["response"].headers["X-Resolver"] = "ran"
            return info.context["request"].headers.get("x-user", "nobody")

        async def resolve_later(self, info):
            await asyncio.sleep(0)
            return "later"

        def resolve_node(self, info):
            return Node(value=1)

        def resolve_boom(self, info):
            raise ValueError("boom")

    class Mutation(graphene.ObjectType):
        create_message = CreateMessage.Field()

    class Subscription(graphene.ObjectType):
        ticks = graphene.Int()

        async def subscribe_ticks(root, info):
            info.context["request"].app.state.calls.append("ticks")
            yield 1

    return Schema(query=Query, mutation=Mutation, subscription=Subscription)


SCHEMAS = {"strawberry": strawberry_schema, "graphene": graphene_schema}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each backend's name in turn (skipped when it is not installed)."""
    pytest.importorskip(request.param)
    return request.param


@pytest.fixture
def schema(backend: str) -> Any:
    """The test schema for ``backend``, built once for the test (apps may share it)."""
    return SCHEMAS[backend]()


@pytest.fixture
def calls() -> list[str]:
    """Names of the resolvers that ran, to prove that a rejected document never runs."""
    return []


@pytest.fixture
def make_app(tmp_path, monkeypatch, backend: str, calls: list[str]) -> Callable[..., Any]:
    """``make_app(app_options=None, **view_options)``: an app serving the test schema.

    ``app_options`` go to ``dyne.App``, the others to the ``GraphQLView`` at /graphql.
    """
    monkeypatch.chdir(tmp_path)
    from dyne.ext.graphql import GraphQLView

    def make(app_options: dict[str, Any] | None = None, **options: Any) -> dyne.App:
        app = dyne.App(**(app_options or {}))
        app.state.calls = calls
        app.add_route("/graphql", GraphQLView(app=app, schema=SCHEMAS[backend](), **options))
        return app

    return make


@pytest.fixture
def make_client(make_app: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """``make_client(**view_options)``: the in-process client of a ``make_app`` app."""
    clients = []

    def make(**options: Any) -> Any:
        client = make_app(**options).client
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def gql(make_client: Callable[..., Any]) -> Any:
    """A client for the test schema with the default limits."""
    return make_client()
