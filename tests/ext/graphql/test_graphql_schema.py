"""Dyne's schema classes: what GraphQLView accepts, and one backend per app."""

from __future__ import annotations

import pytest

import dyne

pytest.importorskip("graphql")

from dyne.ext.graphql import GraphQLView


def strawberry_query():
    strawberry = pytest.importorskip("strawberry")

    @strawberry.type
    class Query:
        @strawberry.field
        def hello(self) -> str:
            return "hi"

    return Query


def graphene_query():
    graphene = pytest.importorskip("graphene")

    class Query(graphene.ObjectType):
        hello = graphene.String()

        def resolve_hello(self, info):
            return "hi"

    return Query


def test_strawberry_schema_is_a_strawberry_schema():
    strawberry = pytest.importorskip("strawberry")
    from dyne.ext.graphql.strawberry import Schema

    assert isinstance(Schema(query=strawberry_query()), strawberry.Schema)


def test_graphene_schema_is_a_graphene_schema():
    graphene = pytest.importorskip("graphene")
    from dyne.ext.graphql.graphene import Schema

    assert isinstance(Schema(query=graphene_query()), graphene.Schema)


def test_raw_strawberry_schema_is_a_type_error_naming_dyne_class(app):
    strawberry = pytest.importorskip("strawberry")
    raw = strawberry.Schema(query=strawberry_query())
    with pytest.raises(TypeError, match=r"dyne\.ext\.graphql\.strawberry\.Schema"):
        GraphQLView(app=app, schema=raw)


def test_raw_graphene_schema_is_a_type_error_naming_dyne_class(app):
    graphene = pytest.importorskip("graphene")
    raw = graphene.Schema(query=graphene_query())
    with pytest.raises(TypeError, match=r"dyne\.ext\.graphql\.graphene\.Schema"):
        GraphQLView(app=app, schema=raw)


def test_something_else_is_a_type_error_naming_both_classes(app):
    with pytest.raises(TypeError, match=r"strawberry\.Schema or dyne\.ext\.graphql\.graphene"):
        GraphQLView(app=app, schema={"query": "Query"})


def test_two_backends_in_one_app_is_a_runtime_error_at_view_creation(app):
    pytest.importorskip("strawberry")
    pytest.importorskip("graphene")
    from dyne.ext.graphql.graphene import Schema as GrapheneSchema
    from dyne.ext.graphql.strawberry import Schema as StrawberrySchema

    GraphQLView(app=app, schema=StrawberrySchema(query=strawberry_query()))
    with pytest.raises(RuntimeError, match="already serves GraphQL with strawberry"):
        GraphQLView(app=app, schema=GrapheneSchema(query=graphene_query()))


def test_two_apps_may_use_different_backends(tmp_path, monkeypatch):
    pytest.importorskip("strawberry")
    pytest.importorskip("graphene")
    from dyne.ext.graphql.graphene import Schema as GrapheneSchema
    from dyne.ext.graphql.strawberry import Schema as StrawberrySchema

    monkeypatch.chdir(tmp_path)
    first, second = dyne.App(), dyne.App()
    GraphQLView(app=first, schema=StrawberrySchema(query=strawberry_query()))
    view = GraphQLView(app=second, schema=GrapheneSchema(query=graphene_query()))
    assert view.schema.backend == "graphene"


def test_two_views_of_one_backend_share_an_app(app, client):
    pytest.importorskip("graphene")
    from dyne.ext.graphql.graphene import Schema

    app.add_route("/a", GraphQLView(app=app, schema=Schema(query=graphene_query())))
    app.add_route("/b", GraphQLView(app=app, schema=Schema(query=graphene_query())))
    assert client.post("/b", json={"query": "{ hello }"}).json() == {"data": {"hello": "hi"}}
