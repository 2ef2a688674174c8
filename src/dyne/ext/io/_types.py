"""The types of the four io decorators, so a decorated view keeps its signature for editors
and type checkers (``@input``/``@output`` make the view async; ``@expect``/``@webhook``
return it unchanged)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any, ParamSpec, Protocol, TypeVar, overload

__all__ = ["ExpectDecorator", "InputDecorator", "OutputDecorator", "WebhookDecorator"]

P = ParamSpec("P")
F = TypeVar("F", bound=Callable[..., Any])


class InputDecorator(Protocol):
    """``@input(schema, location="media", key=None)``."""

    def __call__(
        self, schema: Any, location: str = "media", key: str | None = None
    ) -> Callable[[Callable[P, Any]], Callable[P, Coroutine[Any, Any, Any]]]: ...


class OutputDecorator(Protocol):
    """``@output(schema, status_code=200, ...)``."""

    def __call__(
        self,
        schema: Any,
        status_code: int = 200,
        header: Any = None,
        description: str | None = None,
        *,
        headers: Any = None,
        many: bool | None = None,
    ) -> Callable[[Callable[P, Any]], Callable[P, Coroutine[Any, Any, Any]]]: ...


class ExpectDecorator(Protocol):
    """``@expect({status: description or schema})``."""

    def __call__(self, responses: Mapping[int, Any]) -> Callable[[F], F]: ...


class WebhookDecorator(Protocol):
    """``@webhook``, ``@webhook("name")`` or ``@webhook(name="name")``."""

    @overload
    def __call__(self, func: F) -> F: ...

    @overload
    def __call__(self, func: str | None = None, *, name: str | None = None) -> Callable[[F], F]: ...
