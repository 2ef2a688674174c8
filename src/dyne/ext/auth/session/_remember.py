"""The remember-me cookie: a signed, expiring user id that brings a session back."""

from __future__ import annotations

from itsdangerous import BadData, URLSafeTimedSerializer

__all__ = ["RememberMe"]

_SALT = "dyne.auth.remember-me"


class RememberMe:
    """Signs a user id into a cookie value and reads it back while it is fresh.

    :param secret_key: the app's secret key; a cookie signed with another key is ignored.
    :param max_age: seconds a cookie stays valid after it was issued.
    """

    def __init__(self, secret_key: str | bytes, max_age: int) -> None:
        self.max_age = max_age
        self._serializer = URLSafeTimedSerializer(secret_key, salt=_SALT)

    def dumps(self, user_id: str) -> str:
        """The signed cookie value for ``user_id``."""
        value = self._serializer.dumps(user_id)
        return value if isinstance(value, str) else value.decode("ascii")

    def loads(self, value: str) -> str | None:
        """The user id in ``value``, or None when it is tampered, expired or malformed."""
        try:
            user_id = self._serializer.loads(value, max_age=self.max_age)
        except (BadData, ValueError, TypeError, UnicodeError):
            return None
        return user_id if isinstance(user_id, str) and user_id else None
