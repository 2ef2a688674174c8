"""GraphQL for Dyne: :class:`GraphQLView` serves a Strawberry or Graphene schema.

Pick a backend by importing its schema class, ``dyne.ext.graphql.strawberry.Schema``
or ``dyne.ext.graphql.graphene.Schema``; importing one never imports the other.
"""

from __future__ import annotations

from dyne._utils import require

# Both backends build on graphql-core, which the view uses to check documents.
require("graphql", "graphql_strawberry")

from dyne.ext.graphql._schema import BaseSchema, ExecutionOutcome  # noqa: E402
from dyne.ext.graphql._view import GraphQLView  # noqa: E402

__all__ = ["BaseSchema", "ExecutionOutcome", "GraphQLView"]
