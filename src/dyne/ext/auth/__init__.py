"""Authentication for Dyne: stateless backends with ``@authenticate``, and session login.

Stateless: :class:`BasicAuth`, :class:`TokenAuth`, :class:`DigestAuth`, :class:`MultiAuth`
and :func:`authenticate` (from :mod:`dyne.ext.auth.stateless`); a backend of your own
subclasses :class:`AuthBackend` (returning :data:`ANONYMOUS` or raising
:class:`AuthFailed`). Sessions:
:class:`LoginManager`, :class:`CurrentUserHook` and :class:`AuthFailureReason` (from
:mod:`dyne.ext.auth.session`); ``LoginMiddleware`` is a deprecated alias of
``CurrentUserHook``.
"""

from dyne.ext.auth.session import (
    AuthFailureReason,
    CurrentUserHook,
    LoginManager,
    LoginMiddleware,
)
from dyne.ext.auth.stateless import (
    ANONYMOUS,
    AuthBackend,
    AuthFailed,
    BasicAuth,
    DigestAuth,
    MultiAuth,
    TokenAuth,
    authenticate,
    split_authorization,
)

__all__ = [
    "ANONYMOUS",
    "AuthBackend",
    "AuthFailed",
    "AuthFailureReason",
    "BasicAuth",
    "CurrentUserHook",
    "DigestAuth",
    "LoginManager",
    "LoginMiddleware",
    "MultiAuth",
    "TokenAuth",
    "authenticate",
    "split_authorization",
]
