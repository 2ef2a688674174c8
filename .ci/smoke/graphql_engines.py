"""The GraphQL extras: a query without and with variables, a mutation, errors, GraphiQL.

``python graphql_engines.py strawberry`` or ``python graphql_engines.py graphene``.
"""

from __future__ import annotations

import sys

from _check import check, page_assets, status

import dyne
from dyne.ext.graphql import GraphQLView


def strawberry_app() -> dyne.App:
    """The tour's schema on Strawberry."""
    import strawberry

    from dyne.ext.graphql.strawberry import Schema

    @strawberry.type
    class Query:
        @strawberry.field
        def hello(self, name: str = "stranger") -> str:
            return f"Hello {name}"

    @strawberry.type
    class Mutation:
        @strawberry.mutation
        def shout(self, text: str) -> str:
            return text.upper()

    app = dyne.App()
    app.add_route("/graphql", GraphQLView(app=app, schema=Schema(query=Query, mutation=Mutation)))
    return app


def graphene_app() -> dyne.App:
    """The tour's schema on Graphene."""
    import graphene

    from dyne.ext.graphql.graphene import Schema

    class Query(graphene.ObjectType):
        hello = graphene.String(name=graphene.String(default_value="stranger"))

        def resolve_hello(self, info, name):
            return f"Hello {name}"

    class Mutation(graphene.ObjectType):
        shout = graphene.String(text=graphene.String(required=True))

        def resolve_shout(self, info, text):
            return text.upper()

    app = dyne.App()
    app.add_route("/graphql", GraphQLView(app=app, schema=Schema(query=Query, mutation=Mutation)))
    return app


def main(engine: str) -> None:
    """Run the checks."""
    app = strawberry_app() if engine == "strawberry" else graphene_app()
    client = app.client

    def ask(payload: dict) -> dict:
        return status(client.post("/graphql", json=payload), 200, f"POST {payload}").json()

    check(ask({"query": "{ hello }"}) == {"data": {"hello": "Hello stranger"}}, "no variables")
    answer = ask({"query": "query Q($n: String!) { hello(name: $n) }", "variables": {"n": "Ann"}})
    check(answer == {"data": {"hello": "Hello Ann"}}, f"variables: {answer}")
    answer = ask({"query": 'mutation { shout(text: "hi") }'})
    check(answer == {"data": {"shout": "HI"}}, f"mutation: {answer}")
    reply = client.get("/graphql", params={"query": "{ hello }"})
    check(status(reply, 200, "GET query").json()["data"] == {"hello": "Hello stranger"}, "GET")
    bad = client.post("/graphql", json={"query": "{ nope }"})
    check(bad.status_code in (200, 400) and bad.json().get("errors"), f"bad query: {bad.text}")
    page_assets(client, "/graphql")
    client.close()


if __name__ == "__main__":
    main(sys.argv[1])
