"""``@authenticate``: protect a view with a backend, and record it for OpenAPI."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool

from dyne._meta import append, check_not_routed, wraps
from dyne._utils import is_async_callable
from dyne.ext.auth._roles import RoleRule, compile_roles, roles_allow
from dyne.ext.auth._security import SecurityRequirement
from dyne.ext.auth.stateless.backends.base import ANONYMOUS, AuthBackend, AuthFailed
from dyne.request import Request
from dyne.response import Response

__all__ = ["authenticate"]


def authenticate(
    backend: AuthBackend, role: str | list[Any] | None = None, optional: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
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

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.isclass(view):
            raise TypeError(
                f"@authenticate cannot wrap the class {view.__name__}; decorate its "
                "on_get/on_post/... methods instead."
            )
        check_not_routed(view, "@authenticate(...)")
        view_is_async = is_async_callable(view)

        @wraps(view)
        async def guarded(*args: Any, **kwargs: Any) -> Any:
            req, resp = _request_and_response(args)
            if not await _admit(backend, rule, optional, req, resp):
                # Ends the request: a class view's on_<method> must not run after this.
                resp.complete = True
                return None
            if view_is_async:
                return await view(*args, **kwargs)
            return await run_in_threadpool(view, *args, **kwargs)

        for name, scheme in backend.security_schemes():
            append(guarded, "security", SecurityRequirement(name, dict(scheme), role, optional))
        return guarded

    return decorator


def _request_and_response(args: tuple[Any, ...]) -> tuple[Request, Response]:
    # (req, resp, ...) for functions, (self, req, resp, ...) for class-view methods.
    for index, arg in enumerate(args[:2]):
        if isinstance(arg, Request):
            return arg, args[index + 1]
    raise TypeError("@authenticate views must take (req, resp, ...) arguments.")


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
    req.state.user = user
    if rule is not None and not roles_allow(rule, await backend.roles_of(req, user)):
        await backend.reject(req, resp, 403)
        return False
    return True
