"""The Graphene backend: ``Schema`` is ``graphene.Schema`` that :class:`GraphQLView` accepts.

Install it with ``pip install "dyne[graphql_graphene]"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dyne.ext.graphql._schema import BaseSchema, ExecutionOutcome
from dyne.extension import require

if TYPE_CHECKING:
    import graphene
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
    def core_schema(self) -> Any:
        """The ``graphql.GraphQLSchema`` Graphene built."""
        return self.graphql_schema

    async def run_operation(
        self,
        query: str,
        *,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: dict[str, Any],
    ) -> ExecutionOutcome:
        """Execute ``query`` with Graphene (async and sync resolvers alike)."""
        result = await self.execute_async(
            query,
            variable_values=variables,
            context_value=context,
            operation_name=operation_name,
        )
        errors = [error.formatted for error in result.errors] if result.errors else None
        return ExecutionOutcome(result.data, errors)
