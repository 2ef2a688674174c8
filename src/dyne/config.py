"""Application configuration: environment, ``.env`` files, Python objects and defaults.

A :class:`Config` answers every lookup from four tiers, first hit wins:

1. the OS environment (read live, so changes after start-up are seen);
2. the ``.env`` store: the discovered ``.env`` file or the explicit ``env_file``;
3. values seeded from Python objects with :meth:`Config.from_object` (or set with
   :meth:`Config.set`);
4. the default passed to :meth:`Config.get`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

__all__ = ["Config", "ConfigWarning", "to_bool"]

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_BOOL_HINT = "use one of true/false, 1/0, yes/no, on/off"
_MISSING: Any = object()
_PACKAGE_DIR = str(Path(__file__).resolve().parent)


class ConfigWarning(UserWarning):
    """Warned when configuration is likely wrong but the app can still start."""


def to_bool(value: object) -> bool:
    """Convert a setting to ``bool``: true/1/yes/on or false/0/no/off in any case.

    :param value: a ``bool``, the ints ``0``/``1``, or a string such as ``"Yes"``.
    :raises ValueError: for anything else.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise ValueError(f"{value!r} is not a boolean; {_BOOL_HINT}.")


class Config:
    """Settings looked up in the environment, then the ``.env`` store, then objects, then defaults.

    :param env_file: the ``.env``-style file to load. ``None`` (the default) loads
        ``.env`` from the current working directory if it exists, silently skipping it
        otherwise. A file named explicitly that does not exist emits a
        :class:`ConfigWarning` and loads nothing, so the environment can still supply
        every value (as in a container that has no file).
    :param env_prefix: prefix added to every key looked up in the environment and the
        ``.env`` store (``"DYNE_"`` makes ``get("PORT")`` read ``DYNE_PORT``). Keys from
        :meth:`from_object` and :meth:`set` are used as written.
    :param encoding: encoding of the ``.env`` file.
    :param environ: a mapping read instead of ``os.environ`` (tests and tools can inject
        settings without touching the process environment); ``None`` reads ``os.environ``,
        live.

    The file is parsed once, here, by python-dotenv (quotes, ``export``, comments,
    multi-line values and ``${VAR}`` interpolation). A key written without a value
    (a bare ``KEY`` line) counts as unset.
    """

    __slots__ = (
        "_encoding",
        "_env_file",
        "_env_prefix",
        "_environ",
        "_file_values",
        "_object_values",
    )

    def __init__(
        self,
        env_file: str | os.PathLike[str] | None = None,
        env_prefix: str = "",
        encoding: str = "utf-8",
        environ: Mapping[str, str] | None = None,
    ) -> None:
        if environ is not None and not isinstance(environ, Mapping):
            raise TypeError(f"environ must be a mapping of names to strings, not {environ!r}.")
        path: Path | None
        if env_file is None:
            discovered = Path.cwd() / ".env"
            path = discovered if discovered.is_file() else None
        else:
            path = Path(env_file)
            if not path.is_file():
                warnings.warn(
                    f"env_file '{path}' does not exist, so no values were loaded from it; "
                    "create the file or pass env_file=None to use .env discovery.",
                    ConfigWarning,
                    skip_file_prefixes=(_PACKAGE_DIR,),
                )
                path = None
        file_values: dict[str, str] = {}
        if path is not None:
            parsed = dotenv_values(path, encoding=encoding)
            file_values = {key: value for key, value in parsed.items() if value is not None}
        object.__setattr__(self, "_env_file", path)
        object.__setattr__(self, "_env_prefix", env_prefix)
        object.__setattr__(self, "_encoding", encoding)
        object.__setattr__(self, "_file_values", file_values)
        object.__setattr__(self, "_object_values", {})
        object.__setattr__(self, "_environ", environ)

    @property
    def env_file(self) -> Path | None:
        """The ``.env`` file that was loaded, or ``None`` when none was."""
        env_file: Path | None = self._env_file
        return env_file

    @property
    def env_prefix(self) -> str:
        """The prefix added to keys looked up in the environment and the ``.env`` store."""
        env_prefix: str = self._env_prefix
        return env_prefix

    def _lookup(self, key: str) -> tuple[str, Any]:
        """Return ``(name the value was found under, value)``, or ``(key, _MISSING)``."""
        name = self._env_prefix + key
        environ = os.environ if self._environ is None else self._environ
        if name in environ:
            return name, environ[name]
        if name in self._file_values:
            return name, self._file_values[name]
        if key in self._object_values:
            return key, self._object_values[key]
        return key, _MISSING

    @staticmethod
    def _cast(name: str, value: Any, cast: Callable[[Any], Any] | None) -> Any:
        """Apply ``cast`` to ``value``, turning a failure into a ValueError naming ``name``."""
        if cast is None:
            return value
        if cast is bool:
            try:
                return to_bool(value)
            except ValueError:
                raise ValueError(
                    f"Config value {name}={value!r} is not a boolean; {_BOOL_HINT}."
                ) from None
        try:
            return cast(value)
        except (TypeError, ValueError) as exc:
            cast_name = getattr(cast, "__name__", repr(cast))
            raise ValueError(
                f"Config value {name}={value!r} cannot be converted with {cast_name} "
                f"({exc}); set {name} to a valid value."
            ) from exc

    def get(
        self,
        key: str,
        default: Any = None,
        cast: Callable[[Any], Any] | None = None,
    ) -> Any:
        """Return the value of ``key``, or ``default`` when no tier has it; never raises for a miss.

        :param key: the setting's name, without ``env_prefix``.
        :param default: returned when the key is missing; cast too unless it is ``None``.
        :param cast: ``bool``, ``int``, ``float`` or any callable taking the raw value.
        :raises ValueError: when the value cannot be cast.
        """
        name, value = self._lookup(key)
        if value is _MISSING:
            if default is None:
                return None
            return self._cast(key, default, cast)
        return self._cast(name, value, cast)

    def require(self, key: str, cast: Callable[[Any], Any] | None = None) -> Any:
        """Return the value of ``key``, raising ``RuntimeError`` when it is missing.

        :param key: the setting's name, without ``env_prefix``.
        :param cast: as for :meth:`get`.
        :raises RuntimeError: ``Missing required config: KEY`` when no tier has the key.
        :raises ValueError: when the value cannot be cast.
        """
        name, value = self._lookup(key)
        if value is _MISSING:
            message = f"Missing required config: {key}"
            if self._env_prefix:
                message += f" (set {self._env_prefix}{key} in the environment or .env file)"
            raise RuntimeError(message)
        return self._cast(name, value, cast)

    def from_object(self, obj: object) -> None:
        """Seed the objects tier with the UPPERCASE attributes of a class, instance or module.

        Attributes that are not all upper case, or start with ``_``, are ignored. A later
        call overrides keys set by an earlier one; the environment and the ``.env`` store
        still win over both.

        :raises TypeError: when given a string or a mapping instead of a class or module.
        """
        if isinstance(obj, str):
            raise TypeError(
                f"from_object() got the string {obj!r}; import the class or module and "
                "pass the object itself."
            )
        if isinstance(obj, Mapping):
            raise TypeError(
                "from_object() got a mapping; pass a class or module, or call "
                "config.set(key, value) for each entry."
            )
        for name in dir(obj):
            if name.isupper() and not name.startswith("_"):
                self._object_values[name] = getattr(obj, name)

    def set(self, key: str, value: Any) -> None:
        """Set ``key`` in the objects tier, as :meth:`from_object` would.

        The environment and the ``.env`` store still override it, so a deployment can
        always change a value that code sets.
        """
        self._object_values[key] = value

    def __setitem__(self, key: str, value: Any) -> None:
        """Same as :meth:`set`."""
        self.set(key, value)

    def __getitem__(self, key: str) -> Any:
        """Return the raw value of ``key``; raise ``KeyError`` when no tier has it."""
        _, value = self._lookup(key)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        """Whether any tier (environment, ``.env`` store, objects) has ``key``."""
        return isinstance(key, str) and self._lookup(key)[1] is not _MISSING

    def __getattr__(self, name: str) -> Any:
        """Return the raw value of ``name``; raise ``AttributeError`` when no tier has it."""
        if not name.startswith("_"):
            _, value = self._lookup(name)
            if value is not _MISSING:
                return value
        raise AttributeError(f"Config has no attribute '{name}'")

    def __setattr__(self, name: str, value: Any) -> None:
        """Refuse attribute assignment, which would bypass the lookup order."""
        raise AttributeError(
            f"Cannot assign Config attribute '{name}'; use config.set({name!r}, value) "
            "or config.from_object(obj)."
        )

    def __repr__(self) -> str:
        """Describe the sources without showing any value (values may be secrets)."""
        env_file = str(self._env_file) if self._env_file is not None else None
        return f"<Config env_file={env_file!r} env_prefix={self._env_prefix!r}>"
