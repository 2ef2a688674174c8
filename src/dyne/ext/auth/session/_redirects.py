"""The open-redirect guard: follow ``next`` / ``redirect_url`` only to paths on this site.

A redirect target comes from the client (``/login?next=...``), so an attacker can craft a
link that logs the victim in and then sends them anywhere. Only same-origin relative
references are accepted; everything else falls back to a safe default.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import urlsplit

__all__ = ["is_safe_redirect", "safe_redirect"]


def is_safe_redirect(url: Any) -> bool:
    """Whether ``url`` is a relative reference that stays on this site (``/dashboard?tab=2``).

    Refused: absolute and scheme-relative URLs (``https://evil.com``, ``//evil.com``), any
    scheme (``javascript:``), backslashes (browsers read ``/\\evil.com`` as ``//evil.com``),
    control characters anywhere (browsers drop tabs and newlines, joining what surrounds
    them), and leading or trailing whitespace.
    """
    if not isinstance(url, str) or not url or url != url.strip():
        return False
    if "\\" in url:
        return False
    if any(unicodedata.category(char)[0] == "C" for char in url):
        return False
    if url.startswith("//"):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" read as an IPv6 host
        return False
    return not parts.scheme and not parts.netloc


def safe_redirect(url: Any, default: str = "/") -> str:
    """``url`` when :func:`is_safe_redirect` accepts it, else ``default``."""
    return url if is_safe_redirect(url) else default
