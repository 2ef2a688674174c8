"""The Graphene backend: ``Schema`` is ``graphene.Schema`` that :class:`GraphQLView` accepts.

Install it with ``pip install "dyne[graphql_graphene]"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dyne.ext.graphql._schema import BaseSchema, ExecutionOutcome, GraphQLContext, JSONObject
from dyne.extension import require

if TYPE_CHECKING:
    import graphene
    from graphql import GraphQLSchema
else:
    graphene = require("graphene", "graphql_graphene")

__all__ = ["Schema"]


class Schema(graphene.Schema, BaseSchema):
    """A Graphene schema for Dyne; takes exactly ``graphene.Schema``'s arguments.

    Resolvers find Dyne's request and response in ``info.context["request"]`` and
    ``info.context["response"]``.
    """

    backend = "graphene"

    @property
    def core_schema(self) -> GraphQLSchema:
        """The ``graphql.GraphQLSchema`` Graphene built."""
        schema: GraphQLSchema = self.graphql_schema  # Graphene has no type hints
        return schema

    async def run_operation(
        self,
        query: str,
        *,
        variables: JSONObject | None,
        operation_name: str | None,
        context: GraphQLContext,
    ) -> ExecutionOutcome:
        """Execute ``query`` with Graphene (async and sync resolvers alike)."""
        result = await self.execute_async(
            query,
            variable_values=variables,
            context_value=context,
            operation_name=operation_name,
        )
        return ExecutionOutcome.from_result(result.data, result.errors)
