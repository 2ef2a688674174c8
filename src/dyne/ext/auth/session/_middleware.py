"""CurrentUserHook: puts the current user in ``req.state.user`` before every HTTP view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dyne.request import Request
from dyne.response import Response

if TYPE_CHECKING:
    from dyne.ext.auth.session._manager import LoginManager

__all__ = ["LOGIN_USER", "CurrentUserHook", "LoginMiddleware"]

#: Where the user the LoginManager loaded for the request (or None) is kept: an ASGI scope
#: key (namespaced) that ``login_required`` reads, because ``req.state.user`` may have been
#: replaced since by another guard (an ``@authenticate`` stacked above it).
LOGIN_USER = "dyne.auth.login_user"


class CurrentUserHook:
    """The per-request user loader that :class:`LoginManager` installs on its app.

    It runs as a ``before_request`` hook rather than as an ASGI wrapper so that it shares
    the view's request and response: a session restored from a remember-me cookie is the
    one the response saves, and a ``user_loader`` that raises becomes a logged 500 through
    the app's error handlers. ``req.state.user`` is the user, or None when anonymous.
    """

    __slots__ = ("manager",)

    def __init__(self, manager: LoginManager) -> None:
        self.manager = manager

    async def __call__(self, req: Request, resp: Response) -> None:
        """Load the user for ``req`` (at most one ``user_loader`` call)."""
        user = await self.manager.load_user(req, resp)
        req.scope[LOGIN_USER] = user
        req.state.user = user

    def __repr__(self) -> str:
        return f"<CurrentUserHook for {self.manager!r}>"


#: Deprecated alias of :class:`CurrentUserHook` (the feature tour's name for it): it is a
#: ``before_request`` hook, not ASGI middleware. Use ``CurrentUserHook`` in new code.
LoginMiddleware = CurrentUserHook
