"""The validated data a view receives: a dict that also answers attribute access."""

from __future__ import annotations

from typing import Any

__all__ = ["AttrDict", "to_attr_data"]


class AttrDict(dict[str, Any]):
    """A ``dict`` whose keys are also attributes: ``data["title"]`` and ``data.title``
    (except dunder names such as ``__html__``: those stay ``data["__html__"]``)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            # Protocol lookups (copy's __deepcopy__, markupsafe's __html__, ...) must not
            # find a key the client chose: {"__html__": "x"} made rendering {{ data }} a 500.
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(
                f"The validated data has no field {name!r}; it has: {', '.join(self) or 'none'}."
            ) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __dir__(self) -> list[str]:
        return [*super().__dir__(), *(key for key in self if isinstance(key, str))]


def to_attr_data(value: Any) -> Any:
    """Wrap every dict in ``value`` (through lists and tuples too) as an :class:`AttrDict`.

    An ``AttrDict`` is taken as it is: only Dyne's own adapters build one, and only when
    nothing inside it is a dict (a model of plain fields).
    """
    kind = type(value)
    if kind is AttrDict:
        return value
    if isinstance(value, dict):
        result = AttrDict(value)
        for key, item in value.items():
            kind = type(item)
            if kind is list or kind is tuple:
                # A list of plain values is kept as it is: checked here, without a call.
                for element in item:
                    if isinstance(element, _CONTAINERS):
                        result[key] = to_attr_data(item)
                        break
            elif isinstance(item, _CONTAINERS):
                result[key] = to_attr_data(item)
        return result
    if kind is list or kind is tuple:
        # Lists of plain values (tags, ids) are the common case: kept as they are (a plain
        # loop: no generator to set up on every validated request).
        for item in value:
            if isinstance(item, _CONTAINERS):
                break
        else:
            return value
        if kind is list:
            return [to_attr_data(item) for item in value]
        return tuple(to_attr_data(item) for item in value)
    return value


_CONTAINERS = (dict, list, tuple)
