"""The public face of Dyne: what ``dyne`` exports, sorted ``__all__`` lists, docstrings."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import dyne
from dyne.exceptions import MissingDependency


def public_modules():
    """Every module under ``dyne`` whose name has no leading underscore."""
    names = ["dyne"]
    for info in pkgutil.walk_packages(dyne.__path__, prefix="dyne."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            names.append(info.name)
    return sorted(names)


def isort_style(item: str) -> tuple[int, str]:
    """Ruff's RUF022 order: CONSTANTS, then Classes, then the rest."""
    if item.isupper() and len(item) > 1:
        return (0, item)
    if item[:1].isupper():
        return (1, item)
    return (2, item)


def import_or_skip(name):
    try:
        return importlib.import_module(name)
    except MissingDependency as exc:
        pytest.skip(f"{name}: {exc}")


def test_dyne_exports_the_tour_names():
    assert {"App", "Request", "Response", "abort", "__version__"} <= set(dyne.__all__)


@pytest.mark.parametrize("name", public_modules())
def test_module_all_is_sorted_and_complete(name):
    module = import_or_skip(name)
    exported = getattr(module, "__all__", None)
    if exported is None:
        assert not [
            n
            for n, v in vars(module).items()
            if inspect.isclass(v) and v.__module__ == name and not n.startswith("_")
        ], f"{name} defines public classes but no __all__"
        return
    in_order = list(exported) in (sorted(exported), sorted(exported, key=isort_style))
    assert in_order, f"{name}.__all__ is not sorted"
    missing = [item for item in exported if not hasattr(module, item)]
    assert missing == [], f"{name}.__all__ names what it lacks: {missing}"


@pytest.mark.parametrize("name", public_modules())
def test_module_public_names_have_docstrings(name):
    module = import_or_skip(name)
    assert module.__doc__, f"{name} has no module docstring"
    undocumented = []
    for item in getattr(module, "__all__", ()):
        value = getattr(module, item)
        if (inspect.isclass(value) or inspect.isfunction(value)) and not inspect.getdoc(value):
            undocumented.append(item)
    assert undocumented == [], f"{name}: public names without a docstring: {undocumented}"
