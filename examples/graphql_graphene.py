"""GraphQL with Graphene: the tour's schema behind GraphQLView at /graphql.

Run it with ``python examples/graphql_graphene.py`` and open http://127.0.0.1:5042/graphql
in a browser for GraphiQL, or POST ``{"query": "{ hello }"}`` to it.
"""

import graphene

import dyne
from dyne.ext.graphql import GraphQLView
from dyne.ext.graphql.graphene import Schema

app = dyne.App()


# Define a Mutation for Graphene
class CreateMessage(graphene.Mutation):
    class Arguments:
        name = graphene.String(required=True)
        message = graphene.String(required=True)

    ok = graphene.Boolean()
    message = graphene.String()

    def mutate(self, info, name, message):
        return CreateMessage(ok=True, message=f"Message from {name}: {message}")


# Define a Mutation class
class Mutation(graphene.ObjectType):
    create_message = CreateMessage.Field()


# Define a Query class
class Query(graphene.ObjectType):
    hello = graphene.String(name=graphene.String(default_value="stranger"))

    def resolve_hello(self, info, name):
        return f"Hello {name}"


# Create the schema
schema = Schema(query=Query, mutation=Mutation)

# Create GraphQL view and add it to the API
view = GraphQLView(app=app, schema=schema)
app.add_route("/graphql", view)

if __name__ == "__main__":
    app.run()
