"""An API key in the ``X-API-Key`` header, checked by ``[async] def verify_key(key)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dyne import Request
from dyne.ext.auth import ANONYMOUS, AuthBackend, AuthFailed
from dyne.extension import as_async


class APIKeyAuth(AuthBackend):
    """``X-API-Key: <key>``; ``verify_key`` returns the user, or None to refuse."""

    security_scheme_name = "apiKeyAuth"
    security_scheme = {"type": "apiKey", "in": "header", "name": "X-API-Key"}

    def __init__(self) -> None:
        super().__init__()
        self._verify: Callable[..., Any] | None = None

    def verify_key(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Register the callback that turns a key into a user."""
        self._verify = as_async(func)
        return func

    def matches(self, req: Request) -> bool:
        """Whether the request carries an API key."""
        return "x-api-key" in req.headers

    async def authenticate(self, req: Request) -> Any:
        """The key's user; ANONYMOUS without a key; AuthFailed for an unknown one."""
        key = req.headers.get("x-api-key")
        if not key:
            return ANONYMOUS
        if self._verify is None:
            raise RuntimeError("APIKeyAuth needs @verify_key; register it.")
        user = await self._verify(key)
        if user is None:
            raise AuthFailed()
        return user

    async def challenge(self, req: Request, *, stale: bool = False) -> str:
        """The 401's ``WWW-Authenticate`` value."""
        return 'APIKey realm="api", header="X-API-Key"'
