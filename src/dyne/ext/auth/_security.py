"""What an auth decorator leaves on an endpoint for the OpenAPI extension to read.

See ``docs/internals/metadata.md``: each decorator appends ``SecurityRequirement``\\ s to
the endpoint's ``security`` metadata. Entries left by one decorator (``MultiAuth``'s
backends) are alternatives, any one suffices; stacked decorators must all be satisfied,
as they are at run time. ``guard`` tells them apart.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from dyne.ext.auth._roles import describe_roles

__all__ = ["SecurityRequirement", "new_guard"]


@dataclass(frozen=True, slots=True)
class SecurityRequirement:
    """One way to authenticate for a route: the scheme, and the roles the route requires."""

    scheme_name: str
    scheme: dict[str, Any]
    roles: Any = None
    optional: bool = False
    #: the decorator that left it (:func:`new_guard`): requirements of one guard are
    #: alternatives (``MultiAuth``), stacked guards must all be met
    guard: int | None = field(default=None, compare=False)

    @property
    def roles_text(self) -> str | None:
        """The role requirement in words (``"admin or editor"``), or None without one."""
        return None if self.roles is None else describe_roles(self.roles)


_GUARDS = itertools.count(1)


def new_guard() -> int:
    """A new guard number: one per decorator application."""
    return next(_GUARDS)
