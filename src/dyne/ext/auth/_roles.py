"""The one role rule shared by every auth family (stateless backends and LoginManager).

A requirement is a role name or a list. Top-level entries are alternatives (any one
suffices); an entry that is itself a list needs all of its roles::

    role="admin"                          # admin
    role=["admin", "editor"]              # admin OR editor
    role=[["admin", "super_user"]]        # admin AND super_user
    role=["admin", ["editor", "reviewer"]]  # admin OR (editor AND reviewer)

Requirements are compiled once, when the decorator runs, so a typo fails at import time
and each request only does set look-ups.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["RoleRule", "compile_roles", "describe_roles", "roles_allow", "user_roles"]

#: A compiled requirement: alternatives, each the set of roles it needs together.
RoleRule = tuple[frozenset[str], ...]


def compile_roles(role: str | Iterable[Any] | None) -> RoleRule | None:
    """Check ``role`` and compile it into alternatives; ``None`` means no requirement.

    Raises ``TypeError`` or ``ValueError`` (at registration) for anything that is not a
    role name, a list of them, or a list of lists of them.
    """
    if role is None:
        return None
    if isinstance(role, str):
        return (frozenset([_role_name(role, role)]),)
    if not isinstance(role, list | tuple):
        raise TypeError(
            f"Invalid role requirement {role!r}; use a role name, a list of names (any of), "
            'or nested lists (all of), e.g. ["admin", ["editor", "reviewer"]].'
        )
    alternatives: list[frozenset[str]] = []
    for entry in role:
        if isinstance(entry, str):
            alternatives.append(frozenset([_role_name(entry, role)]))
        elif isinstance(entry, list | tuple | set | frozenset):
            names = frozenset(_role_name(name, role) for name in entry)
            if not names:
                raise ValueError(
                    f"Empty list in role requirement {role!r}; list the roles needed together."
                )
            alternatives.append(names)
        else:
            raise TypeError(
                f"Invalid entry {entry!r} in role requirement {role!r}; "
                "use role names or lists of role names."
            )
    if not alternatives:
        raise ValueError("Empty role requirement []; name at least one role, or pass role=None.")
    return tuple(alternatives)


def describe_roles(role: str | Iterable[Any]) -> str:
    """A requirement in words, in the order written: ``"admin"``, ``"admin or editor"``,
    ``"admin or (editor and reviewer)"`` (what the OpenAPI document shows)."""
    compile_roles(role)  # the same grammar: a malformed requirement fails the same way
    if isinstance(role, str):
        return role
    entries = list(role)
    parts = []
    for entry in entries:
        if isinstance(entry, str):
            parts.append(entry)
        else:
            words = " and ".join(str(name) for name in entry)
            parts.append(f"({words})" if len(entries) > 1 and len(entry) > 1 else words)
    return " or ".join(parts)


def _role_name(name: Any, requirement: Any) -> str:
    if not isinstance(name, str) or not name:
        raise TypeError(
            f"Invalid role name {name!r} in role requirement {requirement!r}; "
            "roles are non-empty strings."
        )
    return name


def user_roles(roles: Any) -> frozenset[str]:
    """Normalise what a ``get_user_roles`` callback returned: None, a name, or names."""
    if roles is None:
        return frozenset()
    if isinstance(roles, str):
        return frozenset([roles])
    if isinstance(roles, Iterable) and not isinstance(roles, bytes | bytearray | dict):
        return frozenset(role for role in roles if isinstance(role, str))
    raise TypeError(
        f"get_user_roles returned {roles!r}; return a role name, a list of names, or None."
    )


def roles_allow(rule: RoleRule | None, roles: Any) -> bool:
    """Whether a user with ``roles`` (as ``get_user_roles`` returned them) meets ``rule``."""
    if rule is None:
        return True
    held = user_roles(roles)
    return any(needed <= held for needed in rule)
