"""GraphQL with Strawberry: the tour's schema behind GraphQLView at /graphql.

Run it with ``python examples/graphql_strawberry.py`` and open http://127.0.0.1:5042/graphql
in a browser for GraphiQL, or POST ``{"query": "{ hello }"}`` to it.
"""

import strawberry

import dyne
from dyne.ext.graphql import GraphQLView
from dyne.ext.graphql.strawberry import Schema

app = dyne.App()


# Define a response type for mutations
@strawberry.type
class MessageResponse:
    ok: bool
    message: str


# Define a Mutation class
@strawberry.type
class Mutation:
    @strawberry.mutation
    def create_message(self, name: str, message: str) -> MessageResponse:
        return MessageResponse(ok=True, message=f"Message from {name}: {message}")


# Define a Query class
@strawberry.type
class Query:
    @strawberry.field
    def hello(self, name: str = "stranger") -> str:
        return f"Hello {name}"


# Create the schema
schema = Schema(query=Query, mutation=Mutation)

# Create GraphQL view and add it to the API
view = GraphQLView(app=app, schema=schema)
app.add_route("/graphql", view)

if __name__ == "__main__":
    app.run()
