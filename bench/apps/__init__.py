"""One minimal, idiomatic app per framework, all answering the same benchmark scenarios.

Every module here exposes the same small interface:

- ``NAME``: the framework's display name;
- ``create_app(routes: int = 10)``: a fresh ASGI3 app with ``routes`` routes in total
  (the scenario routes plus filler routes, see :mod:`._common`);
- ``create_large_app()``: ``create_app(LARGE_ROUTES)``, a factory for ``uvicorn --factory``;
- ``POST_SKIP_REASON``: ``None`` when the validated-POST scenario is served, else why not.
"""

from __future__ import annotations

import importlib
from types import ModuleType

FRAMEWORKS: tuple[str, ...] = (
    "dyne",
    "dyne_blueprints",
    "dyne_observed",
    "starlette",
    "fastapi",
    "raw",
)
"""Framework keys, in report order; each names the module ``<key>_app`` in this package
(``dyne_blueprints``: the Dyne app with every route registered through blueprints;
``dyne_observed``: the Dyne app with request IDs and the JSON access log on)."""


def load(framework: str) -> ModuleType:
    """Import and return the bench app module for ``framework`` (one of :data:`FRAMEWORKS`)."""
    if framework not in FRAMEWORKS:
        raise ValueError(f"Unknown framework {framework!r}; use one of: {', '.join(FRAMEWORKS)}")
    return importlib.import_module(f".{framework}_app", __name__)
