"""Helpers shared by tests in several folders (``tests/`` is on the import path)."""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load_module(path: Path, name: str) -> ModuleType:
    """Import the file at ``path`` as a fresh module called ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_example(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` as a fresh module."""
    return load_module(EXAMPLES / f"{name}.py", f"example_{name}")


@contextlib.contextmanager
def forgetting_models() -> Iterator[None]:
    """Unmap the Alchemical models defined inside the block, so a later test may define
    the tour's tables again (Alchemical's ``Model`` is one process-wide declarative base;
    this reaches into SQLAlchemy's registry, in tests only)."""
    from dyne.ext.db.alchemical import Model

    registry = Model.registry
    managers = set(registry._managers)
    tables = {id(metadata): set(metadata.tables) for metadata in Model.__metadatas__.values()}
    try:
        yield
    finally:
        for manager in [m for m in registry._managers if m not in managers]:
            registry._managers.pop(manager, None)
            registry._dispose_manager_and_mapper(manager)
        for metadata in Model.__metadatas__.values():
            keep = tables.get(id(metadata), set())
            for name in [name for name in metadata.tables if name not in keep]:
                metadata.remove(metadata.tables[name])
