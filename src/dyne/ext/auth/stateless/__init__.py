"""Stateless authentication: ``@authenticate`` with Basic, Token, Digest or several backends.

Backends live in :mod:`dyne.ext.auth.stateless.backends`; everything here is also
importable from :mod:`dyne.ext.auth`.
"""

from dyne.ext.auth.stateless._decorator import authenticate
from dyne.ext.auth.stateless.backends import (
    ANONYMOUS,
    AuthBackend,
    AuthFailed,
    BasicAuth,
    DigestAuth,
    MultiAuth,
    TokenAuth,
    split_authorization,
)

__all__ = [
    "ANONYMOUS",
    "AuthBackend",
    "AuthFailed",
    "BasicAuth",
    "DigestAuth",
    "MultiAuth",
    "TokenAuth",
    "authenticate",
    "split_authorization",
]
