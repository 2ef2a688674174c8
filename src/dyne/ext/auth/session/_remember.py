"""The remember-me cookie (a signed, expiring user id that brings a session back) and
the credential fingerprints that let a password change or "log out everywhere" revoke
old cookies without shared storage."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer

__all__ = ["RememberMe", "fingerprint", "same_fingerprint"]

_SALT = "dyne.auth.remember-me"
_FINGERPRINT = b"dyne.auth.user-version\0"


class RememberMe:
    """Signs a user id (and its fingerprint) into a cookie value and reads it back while
    it is fresh.

    :param secret_key: the app's secret key; a cookie signed with another key is ignored.
    :param max_age: seconds a cookie stays valid after it was issued.
    """

    def __init__(self, secret_key: str | bytes, max_age: int) -> None:
        self.max_age = max_age
        self.key = secret_key.encode("utf-8") if isinstance(secret_key, str) else secret_key
        self._serializer = URLSafeTimedSerializer(secret_key, salt=_SALT)

    def dumps(self, user_id: str, version: str | None = None) -> str:
        """The signed cookie value for ``user_id`` (and its fingerprint, when versioned)."""
        value = self._serializer.dumps(user_id if version is None else [user_id, version])
        return value if isinstance(value, str) else value.decode("ascii")

    def loads(self, value: str) -> tuple[str, str | None] | None:
        """``(user_id, fingerprint or None)`` from ``value``, or None when it is tampered,
        expired or malformed."""
        try:
            data = self._serializer.loads(value, max_age=self.max_age)
        except (BadData, ValueError, TypeError, UnicodeError):
            return None
        if isinstance(data, str) and data:
            return data, None
        if (
            isinstance(data, list)
            and len(data) == 2
            and all(isinstance(item, str) and item for item in data)
        ):
            return data[0], data[1]
        return None


def fingerprint(key: bytes, user_id: str, version: Any) -> str:
    """An HMAC of the user's version: safe to keep in the readable session, and useless
    for another user or app. ``version`` may be a password hash; it never leaves the server."""
    raw = version if isinstance(version, bytes) else str(version).encode("utf-8")
    message = _FINGERPRINT + user_id.encode("utf-8") + b"\0" + raw
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def same_fingerprint(stored: Any, current: str) -> bool:
    """Constant-time comparison of a stored fingerprint with the current one."""
    return isinstance(stored, str) and hmac.compare_digest(stored.encode(), current.encode())
