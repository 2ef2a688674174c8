"""Reading the ``ALCHEMICAL_*`` configuration keys and mapping URLs to async drivers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from dyne.config import Config, to_bool
from dyne.extension import require

__all__ = ["Settings", "async_url", "read_settings"]

EXTRA = "sqlalchemy"

# A plain URL (as written in the tour) means the async driver we ship with the extra.
_ASYNC_SCHEMES = {
    "sqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
}
# Drivers we know the module of, so a missing one is reported with the extra at startup.
_DRIVER_MODULES = {"aiosqlite": "aiosqlite", "asyncpg": "asyncpg"}


@dataclass(slots=True)
class Settings:
    """The extension's configuration, read once when the app is registered."""

    url: str
    binds: dict[str, str] = field(default_factory=dict)
    engine_options: dict[str, Any] = field(default_factory=dict)
    autocommit: bool = False


def async_url(url: str) -> str:
    """Map a sync URL (``sqlite:///app.db``, ``postgresql://...``) to its async driver."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(
            f"Database URL {url!r} has no scheme; write it like 'sqlite:///app.db' or "
            "'postgresql://user@host/dbname'."
        )
    mapped = _ASYNC_SCHEMES.get(scheme.lower())
    if mapped is None:
        return url
    return f"{mapped}://{rest}"


def require_driver(url: str) -> None:
    """Import the driver ``url`` names when it is one we ship, else leave it to SQLAlchemy."""
    scheme = url.partition("://")[0]
    driver = scheme.partition("+")[2]
    module = _DRIVER_MODULES.get(driver)
    if module is not None:
        require(module, EXTRA)


def read_settings(config: Config) -> Settings:
    """Read and check every ``ALCHEMICAL_*`` key from ``config``."""
    url = config.get("ALCHEMICAL_DATABASE_URL")
    if not url:
        raise RuntimeError(
            "Missing required config: ALCHEMICAL_DATABASE_URL; set it in the environment, "
            ".env or app.config (for example ALCHEMICAL_DATABASE_URL=sqlite:///app.db)."
        )
    binds = _mapping(config, "ALCHEMICAL_BINDS")
    for key, value in binds.items():
        if not isinstance(value, str):
            raise ValueError(
                f"ALCHEMICAL_BINDS[{key!r}] is {value!r}; each bind must be a database URL string."
            )
    autocommit = config.get("ALCHEMICAL_AUTOCOMMIT", default=False)
    try:
        autocommit = to_bool(autocommit)
    except ValueError:
        raise ValueError(
            f"ALCHEMICAL_AUTOCOMMIT={autocommit!r} is not a boolean; use true or false."
        ) from None
    return Settings(
        url=async_url(str(url)),
        binds={key: async_url(value) for key, value in binds.items()},
        engine_options=_mapping(config, "ALCHEMICAL_ENGINE_OPTIONS"),
        autocommit=autocommit,
    )


def _mapping(config: Config, key: str) -> dict[str, Any]:
    """A dict setting, given as a dict (from_object) or as JSON text (environment, .env)."""
    value = config.get(key)
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"{key} is not valid JSON ({exc.msg} at position {exc.pos}); write it as a "
                'JSON object such as {"name": "value"}.'
            ) from None
    if not isinstance(value, dict):
        raise ValueError(f"{key} must be a mapping, not {type(value).__name__}: {value!r}.")
    return dict(value)
