"""The engine-neutral interface every Dyne GraphQL schema offers to :class:`GraphQLView`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

__all__ = ["BaseSchema", "ExecutionOutcome"]


class ExecutionOutcome:
    """What running an operation produced: ``data`` and formatted ``errors`` (if any)."""

    __slots__ = ("data", "errors")

    def __init__(self, data: Any, errors: Sequence[Mapping[str, Any]] | None) -> None:
        self.data = data
        self.errors = errors

    def as_dict(self) -> dict[str, Any]:
        """The GraphQL response body: ``{"data": ...}`` plus ``"errors"`` when there are some."""
        body: dict[str, Any] = {}
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
    def core_schema(self) -> Any:
        """The underlying ``graphql.GraphQLSchema``."""
        raise NotImplementedError

    async def run_operation(
        self,
        query: str,
        *,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: dict[str, Any],
    ) -> ExecutionOutcome:
        """Execute an already checked document with the backend and return the outcome."""
        raise NotImplementedError
