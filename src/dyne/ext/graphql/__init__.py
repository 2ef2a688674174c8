"""GraphQL for Dyne: :class:`GraphQLView` serves a Strawberry or Graphene schema.

Pick a backend by importing its schema class, ``dyne.ext.graphql.strawberry.Schema``
or ``dyne.ext.graphql.graphene.Schema``; importing one never imports the other. Each
backend checks for its own library when imported, so a missing one raises
``MissingDependency`` naming that backend's extra; this package and the view import
without either. Another engine is a :class:`BaseSchema` subclass that sets ``backend``
and implements ``core_schema`` and ``run_operation``.
"""

from __future__ import annotations

from dyne.ext.graphql._schema import BaseSchema, ExecutionOutcome, GraphQLContext
from dyne.ext.graphql._view import GraphQLView

__all__ = ["BaseSchema", "ExecutionOutcome", "GraphQLContext", "GraphQLView"]
