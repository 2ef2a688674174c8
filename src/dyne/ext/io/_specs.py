"""What the io decorators record on an endpoint (see docs/internals/metadata.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ExpectSpec", "InputSpec", "OutputSpec", "WebhookSpec"]


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One ``@input``: the schema's adapter, where the data comes from, the keyword injected."""

    adapter: Any
    location: str
    key: str


@dataclass(frozen=True, slots=True)
class OutputSpec:
    """The ``@output``: the body's adapter, its status code, headers' adapter, description,
    and ``many``: True for a list of items, False for one object, None for either."""

    adapter: Any
    status_code: int = 200
    headers: Any = None
    description: str | None = None
    many: bool | None = None


@dataclass(frozen=True, slots=True)
class ExpectSpec:
    """One documented response of ``@expect``: an adapter for its body and/or a description."""

    adapter: Any = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class WebhookSpec:
    """The ``@webhook`` mark: the name the webhook is documented under."""

    name: str
