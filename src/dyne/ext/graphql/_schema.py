"""The engine-neutral interface every Dyne GraphQL schema offers to :class:`GraphQLView`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

if TYPE_CHECKING:
    from graphql import GraphQLFormattedError, GraphQLSchema

    from dyne.request import Request
    from dyne.response import Response

__all__ = ["JSON", "BaseSchema", "ExecutionOutcome", "GraphQLContext", "JSONObject"]

#: A JSON value (variables and results travel as JSON). ``Any`` inside on purpose: a
#: resolver's data is whatever the schema says; the name says what the data is.
type JSON = Any
#: A JSON object: the variables of an operation, the ``data`` of its result.
type JSONObject = dict[str, JSON]


class GraphQLContext(TypedDict):
    """``info.context`` in every resolver: Dyne's request and response."""

    request: Request
    response: Response


class ExecutionOutcome:
    """What running an operation produced: ``data`` and formatted ``errors`` (if any)."""

    __slots__ = ("data", "errors")

    def __init__(
        self, data: JSONObject | None, errors: Sequence[GraphQLFormattedError] | None
    ) -> None:
        self.data = data
        self.errors = errors

    def as_dict(self) -> JSONObject:
        """The GraphQL response body: ``{"data": ...}`` plus ``"errors"`` when there are some."""
        body: JSONObject = {}
        if self.errors:
            body["errors"] = self.errors
        body["data"] = self.data
        return body


class BaseSchema:
    """Mixed into each backend's Dyne ``Schema``; the view only talks to these members.

    A backend subclass sets :attr:`backend` and implements :attr:`core_schema` (the
    ``graphql-core`` schema, used to check documents before execution) and
    :meth:`run_operation`.
    """

    #: the backend's name, e.g. ``"strawberry"``
    backend: ClassVar[str] = ""

    @property
    def core_schema(self) -> GraphQLSchema:
        """The underlying ``graphql.GraphQLSchema``."""
        raise NotImplementedError

    async def run_operation(
        self,
        query: str,
        *,
        variables: JSONObject | None,
        operation_name: str | None,
        context: GraphQLContext,
    ) -> ExecutionOutcome:
        """Execute an already checked document with the backend and return the outcome."""
        raise NotImplementedError
