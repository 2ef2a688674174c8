"""The Redis fixtures shared with the other folders that test against a real Redis."""

from redis_support import prefix, redis  # noqa: F401  (fixtures, found here by pytest)
