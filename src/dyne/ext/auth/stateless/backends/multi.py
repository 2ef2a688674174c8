"""Several backends on one route: whichever scheme the client speaks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dyne.ext.auth.stateless.backends.base import ANONYMOUS, AuthBackend, AuthFailed
from dyne.request import Request

__all__ = ["MultiAuth"]


class MultiAuth(AuthBackend):
    """Try each backend whose scheme matches the request, in the order given.

    Without matching credentials the 401 carries every backend's challenge. Roles come
    from this object's ``get_user_roles`` if registered, else from the backend that
    authenticated; errors likewise go to this object's ``error_handler``, else to the
    handler of the backend the client tried.
    """

    def __init__(self, main_auth: AuthBackend, *additional_auth: AuthBackend) -> None:
        super().__init__()
        backends = (main_auth, *additional_auth)
        for backend in backends:
            if not isinstance(backend, AuthBackend):
                raise TypeError(
                    f"MultiAuth() takes AuthBackend instances (BasicAuth, TokenAuth, "
                    f"DigestAuth, your own subclass, ...), not {backend!r}."
                )
        self.backends: tuple[AuthBackend, ...] = backends
        self.security_scheme_name = self.backends[0].security_scheme_name
        self.security_scheme = self.backends[0].security_scheme

    def security_schemes(self) -> list[tuple[str, dict[str, Any]]]:
        """Every backend's ``(name, Security Scheme Object)``: alternatives for OpenAPI."""
        schemes: list[tuple[str, dict[str, Any]]] = []
        for backend in self.backends:
            for scheme in backend.security_schemes():
                if scheme not in schemes:
                    schemes.append(scheme)
        return schemes

    def matches(self, req: Request) -> bool:
        """Whether any backend understands the request's credentials."""
        return any(backend.matches(req) for backend in self.backends)

    def _tried(self, req: Request) -> AuthBackend | None:
        return next((backend for backend in self.backends if backend.matches(req)), None)

    async def authenticate(self, req: Request) -> Any:
        """The first matching backend's user; AuthFailed if every matching one refused."""
        failure: AuthFailed | None = None
        for backend in self.backends:
            if not backend.matches(req):
                continue
            try:
                user = await backend.authenticate(req)
                if not user:  # None, False...: a refusal (ANONYMOUS is truthy)
                    raise AuthFailed()
            except AuthFailed as exc:
                failure = failure or exc
                continue
            if user is not ANONYMOUS:
                if not isinstance(backend, MultiAuth):  # a nested MultiAuth already said
                    req.state.dyne_auth_backend = backend
                return user
        if failure is not None:
            raise failure
        return ANONYMOUS

    async def roles_of(self, req: Request, user: Any) -> Any:
        """Roles from this object's callback, else from the backend that authenticated."""
        if self._get_user_roles is not None:
            return await self._get_user_roles(user)
        backend = getattr(req.state, "dyne_auth_backend", None)
        if backend is None:
            return await super().roles_of(req, user)
        return await backend.roles_of(req, user)

    async def challenge(self, req: Request, *, stale: bool = False) -> str:
        """Every backend's challenge, comma-separated (RFC 9110 §11.6.1 allows a list)."""
        return ", ".join([await backend.challenge(req, stale=stale) for backend in self.backends])

    def handler_for(self, req: Request) -> Callable[..., Any] | None:
        """This object's error handler, else that of the backend the client tried."""
        if self._error_handler is not None:
            return self._error_handler
        try:
            tried = self._tried(req)
        except AuthFailed:
            tried = None
        return tried.handler_for(req) if tried is not None else None
