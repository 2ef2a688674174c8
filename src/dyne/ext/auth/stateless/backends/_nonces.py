"""Stateless Digest nonces and the bounded replay window.

A nonce is ``<hex timestamp>.<random>.<mac>``, the MAC an HMAC-SHA256 keyed by the app's
secret key, so every worker holding the same key verifies every other worker's nonces
without shared storage.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections import OrderedDict
from typing import Any, Literal

__all__ = [
    "CLOCK_SKEW",
    "NonceCountWindow",
    "check_nonce",
    "key_purpose",
    "make_nonce",
    "opaque",
]

#: How far ahead of our clock a nonce's timestamp may be (clock drift between workers).
CLOCK_SKEW = 30

_NONCE = re.compile(r"([0-9a-f]{1,16})\.([A-Za-z0-9_-]{16})\.([0-9a-f]{32})")


def key_purpose(realm: str) -> str:
    """The purpose this realm's nonce key is derived for (``dyne.extension.derive_key``),
    so it is separate from every other use of the app's secret."""
    return "dyne.ext.auth.digest\0" + realm


def _mac(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode("ascii"), hashlib.sha256).hexdigest()[:32]


def make_nonce(key: bytes, now: float | None = None) -> str:
    """A fresh nonce: the time, 12 random bytes, and a MAC over both."""
    stamp = int(time.time() if now is None else now)
    body = f"{stamp:x}.{secrets.token_urlsafe(12)}"
    return f"{body}.{_mac(key, body)}"


def check_nonce(
    key: bytes, nonce: str, max_age: float, now: float | None = None
) -> Literal["fresh", "stale", "invalid"]:
    """Whether ``nonce`` was made with ``key`` and is younger than ``max_age`` seconds."""
    match = _NONCE.fullmatch(nonce)
    if match is None:
        return "invalid"
    stamp, salt, mac = match.groups()
    if not hmac.compare_digest(_mac(key, f"{stamp}.{salt}"), mac):
        return "invalid"
    age = (time.time() if now is None else now) - int(stamp, 16)
    if age < -CLOCK_SKEW:
        return "invalid"
    return "fresh" if age <= max_age else "stale"


def opaque(key: bytes) -> str:
    """The default ``opaque``: fixed for a key, so any worker can check it."""
    return hmac.new(key, b"opaque", hashlib.sha256).hexdigest()[:32]


class NonceCountWindow:
    """Remembers recent ``(nonce, cnonce, nc)`` uses to refuse replays, in bounded memory.

    Entries are forgotten after ``ttl`` seconds (by then the nonce is stale anyway), never
    earlier: when ``max_entries`` unexpired uses are remembered, new uses are refused
    ("full") until some expire, so flooding the window cannot make it forget a use that
    could still be replayed. It is per process: a multi-worker deployment that wants
    replay protection across workers registers a ``verify_nonce_count`` hook backed by
    shared storage.
    """

    def __init__(self, ttl: float, max_entries: int = 65536) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._seen: OrderedDict[tuple[Any, ...], float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def record(self, *key: Any, now: float | None = None) -> Literal["new", "replay", "full"]:
        """Record ``key``: "new" the first time it is seen within the window, "replay"
        after that, "full" (not recorded) while the window holds ``max_entries`` uses."""
        now = time.monotonic() if now is None else now
        seen = self._seen
        # Entries share one ttl, so insertion order is expiry order: drop from the front.
        while seen:
            oldest, expires = next(iter(seen.items()))
            if expires > now:
                break
            del seen[oldest]
        if key in seen:
            return "replay"
        if len(seen) >= self.max_entries:
            return "full"
        seen[key] = now + self.ttl
        return "new"

    def first_use(self, *key: Any, now: float | None = None) -> bool:
        """Record ``key``; True only the first time it is seen (False when full)."""
        return self.record(*key, now=now) == "new"
