"""The Strawberry backend: ``Schema`` is ``strawberry.Schema`` that :class:`GraphQLView` accepts.

Install it with ``pip install "dyne[graphql_strawberry]"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dyne.ext.graphql._schema import BaseSchema, ExecutionOutcome, GraphQLContext, JSONObject
from dyne.extension import require

if TYPE_CHECKING:
    import strawberry
    from graphql import GraphQLSchema
else:
    strawberry = require("strawberry", "graphql_strawberry")

__all__ = ["Schema"]


class Schema(strawberry.Schema, BaseSchema):
    """A Strawberry schema for Dyne; takes exactly ``strawberry.Schema``'s arguments.

    Resolvers find Dyne's request and response in ``info.context["request"]`` and
    ``info.context["response"]``.
    """

    backend = "strawberry"

    @property
    def core_schema(self) -> GraphQLSchema:
        """The ``graphql.GraphQLSchema`` Strawberry built."""
        return self._schema

    async def run_operation(
        self,
        query: str,
        *,
        variables: JSONObject | None,
        operation_name: str | None,
        context: GraphQLContext,
    ) -> ExecutionOutcome:
        """Execute ``query`` with Strawberry (its extensions and error logging included)."""
        result = await self.execute(
            query,
            variable_values=variables,
            context_value=context,
            operation_name=operation_name,
        )
        # Strawberry has logged the unexpected errors already (strawberry.execution).
        return ExecutionOutcome.from_result(result.data, result.errors, log=False)
