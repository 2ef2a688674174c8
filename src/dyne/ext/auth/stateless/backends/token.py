"""Token authentication: ``Authorization: Bearer <token>``, another scheme, or an API-key header."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dyne.ext.auth.stateless.backends.base import (
    ANONYMOUS,
    AuthBackend,
    AuthFailed,
    as_utf8,
    callback,
    check_realm,
    quoted,
    single_header,
    split_authorization,
)
from dyne.request import Request

__all__ = ["TokenAuth"]


class TokenAuth(AuthBackend):
    """A token (JWT, API key, ...) checked by ``[async] def verify_token(token)``.

    :param scheme: the ``Authorization`` scheme (``Bearer``), also named in the challenge.
    :param realm: the realm named in the challenge.
    :param header: read the token, as the whole value, from this header instead
        (``header="X-API-Key"``).
    """

    def __init__(
        self,
        scheme: str = "Bearer",
        realm: str = "Authentication Required",
        header: str | None = None,
    ) -> None:
        super().__init__()
        if not scheme or any(char.isspace() for char in scheme):
            raise ValueError(f"Invalid token scheme {scheme!r}; use one word such as 'Bearer'.")
        self.scheme = scheme
        self.realm = check_realm(realm)
        self.header = None if header is None or header.lower() == "authorization" else header
        self._verify_token: Callable[..., Any] | None = None
        if self.header is not None:
            self.security_scheme_name = "apiKeyAuth"
            self.security_scheme = {"type": "apiKey", "in": "header", "name": self.header}
        else:
            self.security_scheme_name = f"{scheme[0].lower()}{scheme[1:]}Auth"
            self.security_scheme = {"type": "http", "scheme": scheme.lower()}
            if scheme.lower() == "bearer":
                self.security_scheme_name = "bearerAuth"

    def verify_token(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Register ``[async] def verify_token(token)`` → user or None."""
        self._verify_token = callback(func)
        return func

    def matches(self, req: Request) -> bool:
        """Whether the request carries a token for this backend."""
        if self.header is not None:
            return self.header in req.headers
        parts = split_authorization(req)
        return parts is not None and parts[0].lower() == self.scheme.lower()

    async def authenticate(self, req: Request) -> Any:
        """Return the user, ANONYMOUS without a token; raise AuthFailed if it is wrong."""
        if self._verify_token is None:
            raise RuntimeError(
                "TokenAuth has no verify_token callback; register one with "
                "@token_auth.verify_token."
            )
        token = self._token(req)
        if token is None:
            return ANONYMOUS
        user = await self._verify_token(token)
        if not user:  # None, False, "", 0...: a refusal, never a user (as Flask-HTTPAuth)
            raise AuthFailed()
        return user

    def _token(self, req: Request) -> str | None:
        if self.header is not None:
            value = single_header(req, self.header)
            if value is None:
                return None
            token = value.strip()
        else:
            parts = split_authorization(req)
            if parts is None or parts[0].lower() != self.scheme.lower():
                return None
            token = parts[1]
        if not token or any(char.isspace() for char in token):
            raise AuthFailed()
        return as_utf8(token)

    async def challenge(self, req: Request, *, stale: bool = False) -> str:
        """``Bearer realm="..."`` (with this backend's scheme)."""
        return f'{self.scheme} realm="{quoted(self.realm)}"'
