"""``@authenticate``: protect a view with a backend, and record it for OpenAPI."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec

from dyne.ext.auth._roles import RoleRule, compile_roles, roles_allow
from dyne.ext.auth._security import SecurityRequirement, new_guard
from dyne.ext.auth.stateless.backends.base import ANONYMOUS, AuthBackend, AuthFailed
from dyne.extension import append, as_async, check_not_routed, view_arguments, wraps
from dyne.request import Request
from dyne.response import Response

__all__ = ["authenticate"]

P = ParamSpec("P")


def authenticate(
    backend: AuthBackend, role: str | list[Any] | None = None, optional: bool = False
) -> Callable[[Callable[P, Any]], Callable[P, Coroutine[Any, Any, Any]]]:
    """Require credentials checked by ``backend`` before the view runs.

    Missing or wrong credentials answer 401 with the backend's challenge; a user whose
    roles do not meet ``role`` (a name, or a list: entries are alternatives, nested
    lists need all their roles) answers 403. With ``optional=True`` anonymous requests
    reach the view with ``req.state.user = None``; wrong credentials are still refused.
    Every method is guarded, OPTIONS included (CORS preflights are answered by the CORS
    layer before any view runs). A refusal sets ``resp.complete``, so on a class view's
    ``on_request`` it also stops the ``on_<method>`` handler.

    Works on function views, on a class view's ``on_request`` and on its ``on_<method>``
    methods. Place it below ``@app.route``; above it, it raises ``TypeError``.
    """
    if not isinstance(backend, AuthBackend):
        raise TypeError(
            f"authenticate() takes a BasicAuth, TokenAuth, DigestAuth or MultiAuth backend, "
            f"not {backend!r}."
        )
    rule = compile_roles(role)

    def decorator(view: Callable[P, Any]) -> Callable[P, Coroutine[Any, Any, Any]]:
        if inspect.isclass(view):
            raise TypeError(
                f"@authenticate cannot wrap the class {view.__name__}; decorate its "
                "on_get/on_post/... methods instead."
            )
        check_not_routed(view, "@authenticate(...)")
        call = as_async(view)

        @wraps(view)
        async def guarded(*args: Any, **kwargs: Any) -> Any:
            req, resp = view_arguments(args, "@authenticate(...)")
            if not await _admit(backend, rule, optional, req, resp):
                # Ends the request: a class view's on_<method> must not run after this.
                resp.complete = True
                return None
            return await call(*args, **kwargs)

        guard = new_guard()
        for name, scheme in backend.security_schemes():
            requirement = SecurityRequirement(name, dict(scheme), role, optional, guard)
            append(guarded, "security", requirement)
        return guarded

    return decorator


async def _admit(
    backend: AuthBackend, rule: RoleRule | None, optional: bool, req: Request, resp: Response
) -> bool:
    """Authenticate and authorise ``req``; on refusal fill ``resp`` and return False."""
    try:
        user = await backend.authenticate(req)
    except AuthFailed as failure:
        await backend.reject(req, resp, failure.status_code, stale=failure.stale)
        return False
    if user is ANONYMOUS:
        if optional:
            req.state.user = None
            return True
        await backend.reject(req, resp, 401)
        return False
    if not user:
        # A backend of your own answering None/False ("no such key", dict.get's default)
        # refused: the view must not run with no user, as it did before.
        await backend.reject(req, resp, 401)
        return False
    req.state.user = user
    if rule is not None and not roles_allow(rule, await backend.roles_of(req, user)):
        await backend.reject(req, resp, 403)
        return False
    return True
