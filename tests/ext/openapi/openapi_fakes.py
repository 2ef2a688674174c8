"""Small stand-ins that follow docs/internals/metadata.md exactly, so the builder can be
tested without pydantic, marshmallow or the auth extension."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dyne._meta import annotate, append

REF = "#/components/schemas/"


@dataclass
class FakeAdapter:
    """A schema adapter describing a fixed JSON Schema."""

    name: str
    schema: dict[str, Any]
    named: dict[str, dict[str, Any]] = field(default_factory=dict)
    many: bool = False
    file: bool = False
    params: list[dict[str, Any]] = field(default_factory=list)

    def json_schema(self, ref_prefix: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        return dict(self.schema), dict(self.named)

    def parameters(self, location: str) -> list[dict[str, Any]]:
        return [dict(p, **{"in": location}) for p in self.params]

    def has_file(self) -> bool:
        return self.file


@dataclass(frozen=True)
class InputSpec:
    adapter: Any
    location: str
    key: str


@dataclass(frozen=True)
class OutputSpec:
    adapter: Any
    status_code: int = 200
    headers: Any = None
    description: str | None = None
    many: bool | None = None


@dataclass(frozen=True)
class ExpectSpec:
    adapter: Any = None
    description: str | None = None


@dataclass(frozen=True)
class WebhookSpec:
    name: str


@dataclass(frozen=True)
class SecurityRequirement:
    scheme_name: str
    scheme: dict[str, Any]
    roles: Any = None
    optional: bool = False
    roles_text: str | None = None  # the auth extension words its role requirement


def inp(adapter: Any, location: str = "media", key: str = "data"):
    return lambda view: append(view, "inputs", InputSpec(adapter, location, key))


def out(
    adapter: Any,
    status_code: int = 200,
    headers: Any = None,
    description: str | None = None,
    many: bool | None = False,
):
    return lambda view: annotate(
        view, output=OutputSpec(adapter, status_code, headers, description, many)
    )


def expect(responses: dict[int, Any]):
    specs = {}
    for status, value in responses.items():
        if isinstance(value, str):
            specs[status] = ExpectSpec(None, value)
        elif isinstance(value, tuple):
            specs[status] = ExpectSpec(*value)
        else:
            specs[status] = ExpectSpec(value, None)
    return lambda view: annotate(view, expect=specs)


def webhook(name: str):
    return lambda view: annotate(view, webhook=WebhookSpec(name))


def secured(*requirements: SecurityRequirement):
    def decorate(view):
        for requirement in requirements:
            append(view, "security", requirement)
        return view

    return decorate


BASIC = SecurityRequirement("basicAuth", {"type": "http", "scheme": "basic"})
BEARER = SecurityRequirement("bearerAuth", {"type": "http", "scheme": "bearer"})
DIGEST = SecurityRequirement("digestAuth", {"type": "http", "scheme": "digest"})

BOOK = FakeAdapter(
    "Book",
    {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "cover": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        },
        "required": ["title"],
    },
)
