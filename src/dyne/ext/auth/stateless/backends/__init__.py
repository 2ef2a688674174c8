"""The stateless authentication backends: Basic, Token, Digest, and several at once."""

from dyne.ext.auth.stateless.backends.base import (
    ANONYMOUS,
    AuthBackend,
    AuthFailed,
    split_authorization,
)
from dyne.ext.auth.stateless.backends.basic import BasicAuth
from dyne.ext.auth.stateless.backends.digest import DigestAuth
from dyne.ext.auth.stateless.backends.multi import MultiAuth
from dyne.ext.auth.stateless.backends.token import TokenAuth

__all__ = [
    "ANONYMOUS",
    "AuthBackend",
    "AuthFailed",
    "BasicAuth",
    "DigestAuth",
    "MultiAuth",
    "TokenAuth",
    "split_authorization",
]
