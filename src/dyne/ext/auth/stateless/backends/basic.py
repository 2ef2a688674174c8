"""HTTP Basic authentication (RFC 7617)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from dyne.ext.auth.stateless.backends.base import (
    ANONYMOUS,
    AuthBackend,
    AuthFailed,
    callback,
    check_realm,
    quoted,
    split_authorization,
)
from dyne.request import Request

__all__ = ["BasicAuth"]


class BasicAuth(AuthBackend):
    """Username and password in the ``Authorization: Basic`` header.

    Register ``[async] def verify_password(username, password)`` returning the user (any
    truthy object) or None (any falsy value refuses).

    :param realm: the realm named in the challenge.
    """

    security_scheme_name = "basicAuth"
    security_scheme = {"type": "http", "scheme": "basic"}

    def __init__(self, realm: str = "Authentication Required") -> None:
        super().__init__()
        self.realm = check_realm(realm)
        self._verify_password: Callable[..., Any] | None = None

    def verify_password(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Register ``[async] def verify_password(username, password)`` → user or None."""
        self._verify_password = callback(func)
        return func

    def matches(self, req: Request) -> bool:
        """Whether the request carries Basic credentials."""
        parts = split_authorization(req)
        return parts is not None and parts[0].lower() == "basic"

    async def authenticate(self, req: Request) -> Any:
        """Return the user, ANONYMOUS without Basic credentials; raise AuthFailed if wrong."""
        if self._verify_password is None:
            raise RuntimeError(
                "BasicAuth has no verify_password callback; register one with "
                "@basic_auth.verify_password."
            )
        parts = split_authorization(req)
        if parts is None or parts[0].lower() != "basic":
            return ANONYMOUS
        username, password = _decode(parts[1])
        user = await self._verify_password(username, password)
        if not user:  # None, False, "", 0...: a refusal, never a user (as Flask-HTTPAuth)
            raise AuthFailed()
        return user

    async def challenge(self, req: Request, *, stale: bool = False) -> str:
        """``Basic realm="...", charset="UTF-8"``."""
        return f'Basic realm="{quoted(self.realm)}", charset="UTF-8"'


def _decode(credentials: str) -> tuple[str, str]:
    try:
        raw = base64.b64decode(credentials, validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):  # bad base64, non-ASCII input, or not UTF-8
        raise AuthFailed() from None
    username, colon, password = text.partition(":")
    if not colon:
        raise AuthFailed()
    return username, password
