"""A GraphQL engine of its own: plain graphql-core behind Dyne's ``GraphQLView``."""

from __future__ import annotations

from typing import Any

from dyne.ext.graphql import BaseSchema, ExecutionOutcome, GraphQLContext


class CoreSchema(BaseSchema):
    """Serve a ``graphql.GraphQLSchema`` (graphql-core) with ``GraphQLView``."""

    backend = "graphql-core"

    def __init__(self, schema: Any) -> None:
        self._schema = schema

    @property
    def core_schema(self) -> Any:
        """The graphql-core schema, which the view checks documents against."""
        return self._schema

    async def run_operation(
        self,
        query: str,
        *,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: GraphQLContext,
    ) -> ExecutionOutcome:
        """Run the (already checked) document with graphql-core."""
        from graphql import graphql

        result = await graphql(
            self._schema,
            query,
            variable_values=variables,
            operation_name=operation_name,
            context_value=context,
        )
        errors = [error.formatted for error in result.errors] if result.errors else None
        return ExecutionOutcome(result.data, errors)
