"""What an auth decorator leaves on an endpoint for the OpenAPI extension to read.

See ``docs/internals/metadata.md``: each decorator appends ``SecurityRequirement``\\ s to
the endpoint's ``security`` metadata; the entries are alternatives (any one suffices),
like the entries of an OpenAPI ``security`` list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dyne.ext.auth._roles import describe_roles

__all__ = ["SecurityRequirement"]


@dataclass(frozen=True, slots=True)
class SecurityRequirement:
    """One way to authenticate for a route: the scheme, and the roles the route requires."""

    scheme_name: str
    scheme: dict[str, Any]
    roles: Any = None
    optional: bool = False

    @property
    def roles_text(self) -> str | None:
        """The role requirement in words (``"admin or editor"``), or None without one."""
        return None if self.roles is None else describe_roles(self.roles)
