"""The security middleware an app can ask for: trusted hosts, HTTPS redirect with HSTS, CORS.

None of it is installed unless configured, so an app that doesn't need it pays nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.httpsredirect import HTTPSRedirectMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

if TYPE_CHECKING:
    from dyne.app import App

__all__ = ["DEFAULT_CORS_PARAMS", "HSTSMiddleware", "platform_middleware"]

DEFAULT_CORS_PARAMS: dict[str, Any] = {
    "allow_origins": (),
    "allow_methods": ("GET",),
    "allow_headers": (),
    "allow_credentials": False,
    "allow_origin_regex": None,
    "expose_headers": (),
    "max_age": 60,
}


class HSTSMiddleware:
    """Adds ``Strict-Transport-Security`` to every HTTPS response."""

    def __init__(self, app: Any, max_age: int = 31536000, include_subdomains: bool = True) -> None:
        self.app = app
        value = f"max-age={max_age}"
        if include_subdomains:
            value += "; includeSubDomains"
        self.value = value

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).setdefault("strict-transport-security", self.value)
            await send(message)

        await self.app(scope, receive, send_with_hsts)


def platform_middleware(app: App) -> list[Callable[[Any], Any]]:
    """The configured middleware for ``app``, innermost first."""
    layers: list[Callable[[Any], Any]] = []
    if app.cors:
        options = {**DEFAULT_CORS_PARAMS, **app.cors_params}
        unknown = set(options) - set(DEFAULT_CORS_PARAMS)
        if unknown:
            raise ValueError(
                f"Unknown cors_params {sorted(unknown)}; use: {', '.join(DEFAULT_CORS_PARAMS)}."
            )
        layers.append(lambda inner: CORSMiddleware(inner, **options))
    if app.enable_hsts:
        layers.append(HSTSMiddleware)
        layers.append(HTTPSRedirectMiddleware)
    if app.allowed_hosts is not None:
        hosts = list(app.allowed_hosts)
        layers.append(lambda inner: TrustedHostMiddleware(inner, allowed_hosts=hosts))
    return layers
