"""Response headers and cookies, checked as they are set so no header can split a response."""

from __future__ import annotations

import datetime
import http.cookies
import re
from collections.abc import Iterable, Mapping
from email.utils import format_datetime
from typing import Any

__all__ = [
    "COOKIE_DEFAULTS",
    "ResponseHeaders",
    "accepts",
    "checked_header",
    "cookie_header",
    "parse_cookie_header",
]

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_UNSAFE_VALUE = re.compile(r"[\r\n\x00]")


def accepts(value: str, wanted: str) -> bool:
    """Whether an ``Accept``-style header value (``Accept``, ``Accept-Encoding``) allows
    ``wanted`` (``"application/json"``, ``"gzip"``): the most specific entry that matches
    (exact, then ``type/*``, then ``*/*`` or ``*``) decides, refusing it with ``q=0``.
    The one place Dyne reads quality values."""
    wanted = wanted.lower()
    family = wanted.partition("/")[0] + "/*" if "/" in wanted else None
    best_rank, best_q = 0, 0.0
    for item in value.lower().split(","):
        token, _, params = item.partition(";")
        token = token.strip()
        if token == wanted:
            rank = 3
        elif token == family:
            rank = 2
        elif token in ("*/*", "*"):
            rank = 1
        else:
            continue
        if rank > best_rank:
            best_rank, best_q = rank, _quality(params)
    return best_q > 0


def _quality(params: str) -> float:
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.strip() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def checked_header(name: str, value: Any) -> tuple[str, str]:
    """Return ``(lower-cased name, value)`` or raise ``ValueError`` for a name that is not an
    HTTP token or a value holding CR, LF or NUL (which would split the response)."""
    if not isinstance(name, str) or not _TOKEN.fullmatch(name):
        raise ValueError(f"Invalid header name {name!r}: use letters, digits and -_.!#$%&'*+^`|~.")
    value = str(value)
    if _UNSAFE_VALUE.search(value):
        raise ValueError(
            f"Invalid value for header {name!r}: CR, LF and NUL are not allowed in header values."
        )
    return name.lower(), value


class ResponseHeaders(dict[str, str]):
    """Response headers: a dict whose keys are case-insensitive and whose values are checked.

    A name that is not an HTTP token, or a value containing CR, LF or NUL, raises
    ``ValueError`` when set, so no header can split the response.
    """

    def __init__(self, initial: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        super().__init__()
        if initial:  # every response makes an empty one: keep that free
            self.update(initial)

    def __setitem__(self, name: str, value: Any) -> None:
        key, checked = checked_header(name, value)
        super().__setitem__(key, checked)

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def __delitem__(self, name: str) -> None:
        super().__delitem__(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())

    def get(self, name: str, default: Any = None) -> Any:
        """Return the header ``name`` (any case), or ``default``."""
        return super().get(name.lower(), default)

    def pop(self, name: str, *default: Any) -> Any:
        """Remove the header ``name`` (any case) and return its value."""
        return super().pop(name.lower(), *default)

    def setdefault(self, name: str, default: Any = "") -> str:
        """Set ``name`` to ``default`` unless it is set; return its value."""
        if name not in self:
            self[name] = default
        return self[name]

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Set several headers, checking each one."""
        for source in (*args, kwargs):
            items = source.items() if isinstance(source, Mapping) else source
            for name, value in items:
                self[name] = value

    # dict's own ``|=`` and ``|`` would store the values unchecked.
    def __ior__(self, other: Any) -> ResponseHeaders:  # type: ignore[override]
        self.update(other)
        return self

    def __or__(self, other: Any) -> ResponseHeaders:  # type: ignore[override]
        merged = ResponseHeaders(self)
        merged.update(other)
        return merged


COOKIE_DEFAULTS: dict[str, Any] = {
    "expires": None,
    "max_age": None,
    "domain": None,
    "path": "/",
    "secure": False,
    "httponly": True,
    "samesite": "lax",
}


def cookie_header(key: str, value: str, directives: Mapping[str, Any]) -> bytes:
    """The ``Set-Cookie`` value for ``key=value`` with ``directives``; unsafe input raises
    ``ValueError``."""
    for name in ("domain", "path", "samesite", "expires"):
        directive = directives.get(name)
        if directive is not None and (
            _UNSAFE_VALUE.search(str(directive)) or ";" in str(directive)
        ):
            raise ValueError(f"Invalid cookie {name} {directive!r}: ';', CR, LF, NUL not allowed.")
    cookie: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
    try:
        cookie[key] = value
    except http.cookies.CookieError as exc:
        raise ValueError(f"Invalid cookie name {key!r}: {exc}") from None
    morsel = cookie[key]
    expires = directives.get("expires")
    if expires is not None:
        if isinstance(expires, datetime.datetime):
            expires = format_datetime(expires.astimezone(datetime.UTC), usegmt=True)
        morsel["expires"] = expires
    if directives.get("max_age") is not None:
        morsel["max-age"] = int(directives["max_age"])
    if directives.get("domain"):
        morsel["domain"] = directives["domain"]
    if directives.get("path"):
        morsel["path"] = directives["path"]
    if directives.get("secure"):
        morsel["secure"] = True
    if directives.get("httponly"):
        morsel["httponly"] = True
    samesite = directives.get("samesite")
    if samesite:
        if str(samesite).lower() not in ("lax", "strict", "none"):
            raise ValueError(
                f"Invalid cookie samesite {samesite!r}: use 'lax', 'strict' or 'none'."
            )
        morsel["samesite"] = samesite
    output = morsel.OutputString()
    if _UNSAFE_VALUE.search(output):  # the last guard: nothing above may let one through
        raise ValueError(f"Invalid cookie {key!r}: CR, LF and NUL are not allowed.")
    return output.encode("latin-1")


# One pass of a regex: linear however many backslashes a value holds (the standard
# library's unquoting was quadratic before Python 3.12.6, CVE-2024-7592).
_COOKIE_ESCAPE = re.compile(r"\\(?:([0-3][0-7][0-7])|(.))")


def _unescape(match: re.Match[str]) -> str:
    octal = match[1]
    return chr(int(octal, 8)) if octal else match[2]


def _unquote_cookie(value: str) -> str:
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        return value
    inner = value[1:-1]
    return _COOKIE_ESCAPE.sub(_unescape, inner) if "\\" in inner else inner


def parse_cookie_header(header: str) -> dict[str, str]:
    """Parse a ``Cookie`` request header into ``{name: value}``, leniently, as browsers
    send it (the last of a repeated name wins; a chunk without ``=`` has the name ``""``).

    A double-quoted value is unquoted as :mod:`http.cookies` does (``\\"`` and octal
    escapes), in time linear in the header's length on every Python version.
    """
    cookies: dict[str, str] = {}
    for chunk in header.split(";"):
        key, sep, value = chunk.partition("=")
        if not sep:
            key, value = "", key
        key, value = key.strip(), value.strip()
        if key or value:
            cookies[key] = _unquote_cookie(value)
    return cookies
