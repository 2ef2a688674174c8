"""The engine-neutral interface every Dyne GraphQL schema offers to :class:`GraphQLView`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, TypedDict

from dyne.types import JSON, JSONObject

if TYPE_CHECKING:
    from graphql import GraphQLError, GraphQLFormattedError, GraphQLSchema

    from dyne.request import Request
    from dyne.response import Response

__all__ = [
    "JSON",
    "MASKED_MESSAGE",
    "BaseSchema",
    "ExecutionOutcome",
    "GraphQLContext",
    "JSONObject",
]


class GraphQLContext(TypedDict):
    """``info.context`` in every resolver: Dyne's request and response."""

    request: Request
    response: Response


#: The message a client gets, in production, for an error a resolver did not mean to show.
MASKED_MESSAGE = "Internal server error"

logger = logging.getLogger("dyne.graphql")


class ExecutionOutcome:
    """What running an operation produced: ``data`` and formatted ``errors`` (if any).

    ``unexpected`` holds the positions in ``errors`` of those caused by an exception that
    is not a ``GraphQLError`` (a bug, a database error): their message may show internals,
    so :meth:`as_dict` can mask it. A resolver raises ``GraphQLError`` for a message meant
    for the client.
    """

    __slots__ = ("data", "errors", "unexpected")

    def __init__(
        self,
        data: JSONObject | None,
        errors: Sequence[GraphQLFormattedError] | None,
        unexpected: frozenset[int] = frozenset(),
    ) -> None:
        self.data = data
        self.errors = errors
        self.unexpected = unexpected

    @classmethod
    def from_result(
        cls,
        data: JSONObject | None,
        errors: Sequence[GraphQLError] | None,
        *,
        log: bool = True,
    ) -> ExecutionOutcome:
        """The outcome of an execution result's ``data`` and ``errors``; unexpected errors
        are logged to ``dyne.graphql`` with their traceback unless ``log`` is False (for a
        backend that logs them itself)."""
        if not errors:
            return cls(data, None)
        # Imported here: a backend calls this, so a GraphQL library is installed by now.
        from graphql import GraphQLError

        unexpected = frozenset(
            i
            for i, error in enumerate(errors)
            if error.original_error is not None
            and not isinstance(error.original_error, GraphQLError)
        )
        if log:
            for i in sorted(unexpected):
                original = errors[i].original_error
                logger.error(
                    "A GraphQL resolver raised %s",
                    type(original).__name__,
                    exc_info=(type(original), original, original.__traceback__)
                    if original is not None
                    else None,
                )
        return cls(data, [error.formatted for error in errors], unexpected)

    def as_dict(self, *, mask: bool = False) -> JSONObject:
        """The GraphQL response body: ``{"data": ...}`` plus ``"errors"`` when there are some;
        with ``mask``, unexpected errors say only :data:`MASKED_MESSAGE` (path and
        locations kept)."""
        body: JSONObject = {}
        if self.errors:
            errors = list(self.errors)
            if mask:
                for i in self.unexpected:
                    errors[i] = {**errors[i], "message": MASKED_MESSAGE}
            body["errors"] = errors
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
