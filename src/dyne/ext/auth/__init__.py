"""Authentication for Dyne: stateless backends with ``@authenticate``, and session login.

Stateless: :class:`BasicAuth`, :class:`TokenAuth`, :class:`DigestAuth`, :class:`MultiAuth`
and :func:`authenticate` (from :mod:`dyne.ext.auth.stateless`). Sessions:
:class:`LoginManager`, :class:`LoginMiddleware` and :class:`AuthFailureReason` (from
:mod:`dyne.ext.auth.session`).
"""

from dyne.ext.auth.session import AuthFailureReason, LoginManager, LoginMiddleware
from dyne.ext.auth.stateless import (
    AuthBackend,
    BasicAuth,
    DigestAuth,
    MultiAuth,
    TokenAuth,
    authenticate,
)

__all__ = [
    "AuthBackend",
    "AuthFailureReason",
    "BasicAuth",
    "DigestAuth",
    "LoginManager",
    "LoginMiddleware",
    "MultiAuth",
    "TokenAuth",
    "authenticate",
]
