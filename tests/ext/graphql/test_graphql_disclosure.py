"""What a GraphQL answer tells an outsider: no schema hints with introspection off, no
resolver internals in production."""

from __future__ import annotations

import pytest

pytest.importorskip("graphql")

# Documents whose validation errors would name schema members the client never wrote.
MISSPELLED = [
    "{ helo }",  # a field: Did you mean 'hello'?
    '{ hello(nme: "x") }',  # an argument: Did you mean 'name'?
    "query($n: Strin) { hello(name: $n) }",  # a type: Did you mean 'String'?
    "{ node { valu } }",  # a nested field: Did you mean 'value'?
]


@pytest.mark.parametrize("query", MISSPELLED)
def test_no_suggestions_when_introspection_is_off(make_client, query):
    client = make_client(introspection=False)
    response = client.post("/graphql", json={"query": query})
    assert response.status_code == 400
    for error in response.json()["errors"]:
        assert "Did you mean" not in error["message"]
        assert error["message"]  # the error itself is still there


def test_suggestions_kept_when_introspection_is_on(gql):
    response = gql.post("/graphql", json={"query": "{ helo }"})
    assert "Did you mean 'hello'?" in response.json()["errors"][0]["message"]


def _enum_app(introspection: bool):
    # Graphene: its types can be local (Strawberry resolves annotations by module name).
    graphene = pytest.importorskip("graphene")
    import dyne
    from dyne.ext.graphql import GraphQLView
    from dyne.ext.graphql.graphene import Schema

    class Colour(graphene.Enum):
        CRIMSON = "crimson"

    class Filter(graphene.InputObjectType):
        secret_field = graphene.String()

    class Query(graphene.ObjectType):
        paint = graphene.String(colour=Colour(required=True), filter=Filter())

        def resolve_paint(self, info, colour, filter=None):
            return str(colour)

    app = dyne.App()
    view = GraphQLView(app=app, schema=Schema(query=Query), introspection=introspection)
    app.add_route("/graphql", view)
    return app


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ paint(colour: CRIMSO) }", None),
        ("query($c: Colour!) { paint(colour: $c) }", {"c": "CRIMSO"}),
        (
            "query($f: Filter) { paint(colour: CRIMSON, filter: $f) }",
            {"f": {"secret_fiel": "x"}},
        ),
    ],
)
def test_no_enum_or_input_suggestions_when_introspection_is_off(query, variables):
    with _enum_app(introspection=False).client as client:
        response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 400
    text = response.text
    assert "Did you mean" not in text
    assert "CRIMSON" not in text
    assert "secret_field" not in text


def test_resolver_exception_is_masked_in_production(make_client):
    client = make_client(app_options={"debug": False})
    response = client.post("/graphql", json={"query": "{ hello boom }"})
    body = response.json()
    assert response.status_code == 200
    assert body["data"] == {"hello": "Hello stranger", "boom": None}
    error = body["errors"][0]
    assert "boom" not in error["message"]
    assert error["message"] == "Internal server error"
    assert error["path"] == ["boom"]  # the client still learns which field failed


def test_resolver_exception_is_shown_in_debug(make_client):
    client = make_client(app_options={"debug": True})
    response = client.post("/graphql", json={"query": "{ boom }"})
    assert response.json()["errors"][0]["message"] == "boom"


def test_resolver_graphql_error_keeps_its_message_in_production(make_client, backend):
    # A GraphQLError is what a resolver raises on purpose, for the client to read.
    from graphql import GraphQLError

    app = _graphql_error_app(backend, GraphQLError("You may not see this item."))
    with app.client as client:
        response = client.post("/graphql", json={"query": "{ guarded }"})
    assert response.json()["errors"][0]["message"] == "You may not see this item."


def test_masked_resolver_exception_is_logged(make_client, caplog):
    client = make_client(app_options={"debug": False})
    with caplog.at_level("ERROR"):
        client.post("/graphql", json={"query": "{ boom }"})
    assert any("boom" in (r.getMessage() + str(r.exc_info)) for r in caplog.records)


def _graphql_error_app(backend: str, error: Exception):
    import dyne
    from dyne.ext.graphql import GraphQLView

    if backend == "strawberry":
        import strawberry

        from dyne.ext.graphql.strawberry import Schema

        @strawberry.type
        class Query:
            @strawberry.field
            def guarded(self) -> str | None:
                raise error

        schema = Schema(query=Query)
    else:
        import graphene

        from dyne.ext.graphql.graphene import Schema as GrapheneSchema

        class GQuery(graphene.ObjectType):
            guarded = graphene.String()

            def resolve_guarded(self, info):
                raise error

        schema = GrapheneSchema(query=GQuery)
    app = dyne.App()
    app.add_route("/graphql", GraphQLView(app=app, schema=schema))
    return app
