"""Fixtures for the OpenAPI tests: a validator for every generated document."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


@pytest.fixture
def validate() -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Check a document against the OpenAPI schema of its own version; return it."""
    validator = pytest.importorskip("openapi_spec_validator")

    def check(spec: dict[str, Any]) -> dict[str, Any]:
        validator.validate(spec)
        return spec

    return check


@pytest.fixture
def forget_models() -> Iterator[None]:
    """Unmap the Alchemical models a test defines, so another test may define the tour's
    ``books`` table again (Alchemical's ``Model`` is one process-wide base)."""
    alchemical = pytest.importorskip("dyne.ext.db.alchemical")
    model = alchemical.Model
    managers = set(model.registry._managers)
    tables = {id(m): set(m.tables) for m in model.__metadatas__.values()}
    yield
    for manager in [m for m in model.registry._managers if m not in managers]:
        model.registry._managers.pop(manager, None)
        model.registry._dispose_manager_and_mapper(manager)
    for metadata in model.__metadatas__.values():
        keep = tables.get(id(metadata), set())
        for name in [name for name in metadata.tables if name not in keep]:
            metadata.remove(metadata.tables[name])


def load_module(path: Path, name: str) -> ModuleType:
    """Import the file at ``path`` as a fresh module called ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
