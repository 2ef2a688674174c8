"""The security middleware an app can ask for: trusted hosts, HTTPS redirect with HSTS, CORS.

None of it is installed unless configured, so an app that doesn't need it pays nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware

from dyne.problems import Problem, problem_details_enabled, problem_messages
from dyne.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from dyne.app import App

__all__ = [
    "DEFAULT_CORS_PARAMS",
    "HSTSMiddleware",
    "HTTPSRedirectMiddleware",
    "TrustedHostMiddleware",
    "check_allowed_hosts",
    "client_host",
    "cors_options",
    "host_name",
    "platform_middleware",
]

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

    def __init__(
        self, app: ASGIApp, max_age: int = 31536000, include_subdomains: bool = True
    ) -> None:
        self.app = app
        value = f"max-age={max_age}"
        if include_subdomains:
            value += "; includeSubDomains"
        self.value = value

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).setdefault("strict-transport-security", self.value)
            await send(message)

        await self.app(scope, receive, send_with_hsts)


# A host name (labels of letters, digits, '-' and '_') or a bracketed IPv6 literal, then an
# optional port. Anything else (userinfo '@', spaces, '/', a second host) is malformed.
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOST_HEADER = re.compile(
    rf"(?P<name>\[[0-9A-Fa-f:.]+\]|{_LABEL}(?:\.{_LABEL})*\.?)(?::(?P<port>[0-9]{{1,5}}))?"
)


def host_name(value: str) -> str | None:
    """The lower-case host name in a ``Host`` header value, or None when it is malformed."""
    match = _HOST_HEADER.fullmatch(value)
    if match is None or len(value) > 261:
        return None
    return match["name"].rstrip(".").lower()


class HTTPSRedirectMiddleware:
    """Redirects ``http://`` and ``ws://`` requests to the same URL on ``https``/``wss``.

    The target host is the request's ``Host``, which the client chooses, so it is only used
    when well formed (anything else is a 400), and the redirect says ``Cache-Control:
    no-store`` so no shared cache can keep a redirect made for one client's Host and serve
    it to others. With ``allowed_hosts`` set, only allowed hosts get this far.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket") or scope.get("scheme") in ("https", "wss"):
            await self.app(scope, receive, send)
            return
        hosts = [value for name, value in scope["headers"] if name == b"host"]
        host = hosts[0].decode("latin-1") if len(hosts) == 1 else ""
        match = _HOST_HEADER.fullmatch(host)
        if match is None or len(host) > 261:
            if kind == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await _refuse(scope, send, "Invalid host header")
            return
        netloc = match["name"].rstrip(".")
        if match["port"] not in (None, "80", "443"):
            netloc += ":" + match["port"]
        path = scope.get("raw_path") or quote(scope["path"]).encode("ascii")
        if not path.startswith(b"/"):
            # Some servers (uvicorn's h11) pass any request target through: appended to
            # the host, "@evil.com/" or ".evil.com/" would send the client to another host.
            if kind == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await _refuse(scope, send, "Invalid request target")
            return
        query = scope.get("query_string", b"")
        scheme = "wss" if kind == "websocket" else "https"
        location = f"{scheme}://{netloc}".encode("latin-1") + path
        if query:
            location += b"?" + query
        if kind == "websocket":
            # A handshake cannot follow a redirect: refuse it; the client must use wss://.
            await send({"type": "websocket.close", "code": 1008})
            return
        await _plain_response(
            send, 307, b"", [(b"location", location), (b"cache-control", b"no-store")]
        )


async def _refuse(scope: Scope, send: Send, message: str) -> None:
    """Answer 400 with ``message``: problem details when the app has them on, else text."""
    if problem_details_enabled(scope.get("app")):
        start, body = problem_messages(scope, Problem(400, message))
        await send(start)
        await send(body)
        return
    await _plain_response(send, 400, message.encode("latin-1"))


async def _plain_response(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                *(headers or []),
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode("latin-1")),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class TrustedHostMiddleware:
    """Answers 400 to requests whose ``Host`` is malformed or not in ``allowed_hosts``.

    Patterns are exact names (``example.com``), ``*.example.com`` (any subdomain, not
    ``example.com`` itself) or ``*`` (anything well-formed). The port is ignored.
    A WebSocket handshake with a bad host is refused (closed with 1008).
    """

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str]) -> None:
        self.app = app
        patterns = check_allowed_hosts(allowed_hosts)
        self.allow_any = "*" in patterns
        self.exact = frozenset(p for p in patterns if not p.startswith("*"))
        self.suffixes = tuple(p[1:] for p in patterns if p.startswith("*."))

    def is_allowed(self, host: str) -> bool:
        """Whether the ``Host`` header value ``host`` is well formed and allowed."""
        name = host_name(host)
        if name is None:
            return False
        return self.allow_any or name in self.exact or name.endswith(self.suffixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        hosts = [value for name, value in scope["headers"] if name == b"host"]
        if len(hosts) == 1 and self.is_allowed(hosts[0].decode("latin-1")):
            await self.app(scope, receive, send)
            return
        if kind == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "Invalid host header"})
            return
        await _refuse(scope, send, "Invalid host header")


def check_allowed_hosts(allowed_hosts: Iterable[str]) -> list[str]:
    """The ``allowed_hosts`` patterns, normalised; ``ValueError`` for a pattern that can
    never match (a misplaced wildcard, a port, a path, an empty string, ...)."""
    if isinstance(allowed_hosts, str):
        raise ValueError(
            f"allowed_hosts must be a list of host names, not the string {allowed_hosts!r}; "
            f"write allowed_hosts=[{allowed_hosts!r}]."
        )
    raw = [str(pattern).strip().lower() for pattern in allowed_hosts]
    patterns = [pattern.rstrip(".") for pattern in raw]
    for original, pattern in zip(raw, patterns, strict=True):
        if original == "*":
            continue
        pattern = original if pattern == "*" else pattern
        if "*" in pattern and not (pattern.startswith("*.") and "*" not in pattern[2:]):
            raise ValueError(
                f"Invalid allowed_hosts pattern {pattern!r}; wildcards only work as a "
                "leading '*.' (as in '*.example.com') or as '*' alone."
            )
        name = pattern.removeprefix("*.")
        match = _HOST_HEADER.fullmatch(name)
        if match is None or match["port"] is not None or name.endswith("."):
            raise ValueError(
                f"Invalid allowed_hosts pattern {pattern!r}; write a bare host name such as "
                "'example.com', '*.example.com' or '[::1]' (no scheme, port or path: ports "
                "are ignored), or '*' for any host."
            )
    return patterns


def client_host(allowed_hosts: Iterable[str] | None) -> str | None:
    """A host the test client can send that ``allowed_hosts`` accepts: the first exact
    name, else a subdomain of the first ``*.`` pattern, else ``testserver`` for ``*``
    (None without ``allowed_hosts``: any host passes)."""
    if allowed_hosts is None:
        return None
    patterns = check_allowed_hosts(allowed_hosts)
    for pattern in patterns:
        if not pattern.startswith("*"):
            return pattern
    for pattern in patterns:
        if pattern.startswith("*."):
            return "testserver" + pattern[1:]
    return "testserver"


# Origins any page can claim: with credentials allowed, one of them matching is as open as "*".
_PROBE_ORIGINS = ("https://dyne-cors-probe.invalid", "http://dyne-cors-probe.invalid", "null")


def cors_options(cors_params: dict[str, Any]) -> dict[str, Any]:
    """Dyne's CORS defaults updated with ``cors_params``; ``ValueError`` for an unknown key,
    or for credentials allowed to any origin (``*``, ``null`` or a catch-all regex)."""
    unknown = set(cors_params) - set(DEFAULT_CORS_PARAMS)
    if unknown:
        raise ValueError(
            f"Unknown cors_params {sorted(unknown)}; use: {', '.join(DEFAULT_CORS_PARAMS)}."
        )
    options = {**DEFAULT_CORS_PARAMS, **cors_params}
    for key in ("allow_origins", "allow_methods", "allow_headers", "expose_headers"):
        if isinstance(options[key], str):
            raise ValueError(
                f"cors_params[{key!r}] must be a list, not the string {options[key]!r}; "
                f"write [{options[key]!r}]."
            )
    regex = options["allow_origin_regex"]
    compiled = None
    if regex is not None:
        try:
            compiled = re.compile(regex)
        except re.error as exc:
            raise ValueError(
                f"cors_params['allow_origin_regex'] {regex!r} is not a valid regex ({exc}); "
                "fix the pattern."
            ) from None
    if options["allow_credentials"]:
        origins = set(options["allow_origins"])
        if "*" in origins or "null" in origins:
            raise ValueError(
                "cors_params allow_credentials=True cannot be combined with allow_origins "
                f"{sorted(origins & {'*', 'null'})}: any site could then read your users' "
                "responses; list the origins you trust, e.g. ['https://app.example.com']."
            )
        if compiled is not None and any(compiled.fullmatch(o) for o in _PROBE_ORIGINS):
            raise ValueError(
                f"cors_params allow_credentials=True cannot be combined with "
                f"allow_origin_regex {regex!r}, which matches any site's origin; list the "
                "origins you trust, or anchor the regex to your domain."
            )
    return options


def platform_middleware(app: App) -> list[Callable[[Any], Any]]:
    """The configured middleware for ``app``, innermost first."""
    layers: list[Callable[[Any], Any]] = []
    if app.cors:
        options = cors_options(app.cors_params)
        layers.append(lambda inner: CORSMiddleware(inner, **options))
    if app.enable_hsts:
        layers.append(HSTSMiddleware)
        layers.append(HTTPSRedirectMiddleware)
    if app.allowed_hosts is not None:
        hosts = list(app.allowed_hosts)
        layers.append(lambda inner: TrustedHostMiddleware(inner, allowed_hosts=hosts))
    return layers
