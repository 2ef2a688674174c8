"""Session authentication: ``LoginManager``, ``CurrentUserHook`` and ``AuthFailureReason``.

Users log in with ``await auth.login(req, resp, user)``; the user id then lives in the
signed ``dyne-Session`` cookie, and a remember-me cookie can bring it back after the
session ends. ``@auth.login_required(role=...)`` guards views. ``LoginMiddleware`` is a
deprecated alias of ``CurrentUserHook``.
"""

from dyne.ext.auth.session._failure import AuthFailureReason
from dyne.ext.auth.session._manager import LoginManager
from dyne.ext.auth.session._middleware import CurrentUserHook, LoginMiddleware
from dyne.ext.auth.session._redirects import is_safe_redirect, safe_redirect

__all__ = [
    "AuthFailureReason",
    "CurrentUserHook",
    "LoginManager",
    "LoginMiddleware",
    "is_safe_redirect",
    "safe_redirect",
]
