"""Stateless authentication: ``@authenticate`` with Basic, Token, Digest or several backends.

Backends live in :mod:`dyne.ext.auth.stateless.backends`; everything here is also
importable from :mod:`dyne.ext.auth`.
"""

from dyne.ext.auth.stateless._decorator import authenticate
from dyne.ext.auth.stateless.backends import (
    AuthBackend,
    BasicAuth,
    DigestAuth,
    MultiAuth,
    TokenAuth,
)

__all__ = ["AuthBackend", "BasicAuth", "DigestAuth", "MultiAuth", "TokenAuth", "authenticate"]
