"""The view's limits and the rejection it answers with; importing this needs no GraphQL library."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graphql import GraphQLFormattedError

__all__ = ["QueryLimits", "Rejected"]

_COUNTS = ("max_depth", "max_aliases", "max_tokens", "max_length", "max_cost")


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """Bounds on a document; ``None`` switches one off.

    Depth, aliases and cost are measured on the document with every fragment expanded
    where it is spread, so a fragment spread ten times counts ten times.
    """

    max_depth: int | None = 15
    max_aliases: int | None = 50
    max_tokens: int | None = 1000
    max_length: int | None = 100_000
    introspection: bool = True
    max_cost: int | None = 2000

    def __post_init__(self) -> None:
        for name in _COUNTS:
            value = getattr(self, name)
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < 0
            ):
                raise ValueError(
                    f"GraphQLView({name}={value!r}) must be a non-negative integer or None."
                )


class Rejected(Exception):
    """A document that must not run; ``errors`` are GraphQL error dicts."""

    def __init__(self, errors: list[GraphQLFormattedError], status_code: int = 400) -> None:
        super().__init__(errors[0]["message"] if errors else "rejected")
        self.errors = errors
        self.status_code = status_code

    @classmethod
    def message(cls, text: str, status_code: int = 400) -> Rejected:
        """A rejection with one plain message."""
        return cls([{"message": text}], status_code)
