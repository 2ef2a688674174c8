"""The Dyne bench app with request IDs and the JSON access log on.

The same routes as :mod:`.dyne_app`; ``App(request_id=True, access_log="json")``, with the
``dyne.access`` logger writing each JSON line to ``os.devnull`` (formatted and written,
as in production, but not printed over the report). The ``Observed/Dyne`` column is the
per-request cost of both features.
"""

from __future__ import annotations

import logging
import os

import dyne

from . import dyne_app
from ._common import LARGE_ROUTES, SMALL_ROUTES

NAME = "Dyne (observed)"
POST_SKIP_REASON = dyne_app.POST_SKIP_REASON


def _quiet_access_logger() -> None:
    from dyne.observability import ACCESS_LOGGER, JSONFormatter

    logger = logging.getLogger(ACCESS_LOGGER)
    if any(getattr(h, "_dyne_bench", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115 - lives with the process
    handler.setFormatter(JSONFormatter())
    handler._dyne_bench = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def create_app(routes: int = SMALL_ROUTES) -> dyne.App:
    """Return the observed Dyne bench app with ``routes`` routes in total."""
    _quiet_access_logger()
    return dyne_app.create_app(routes, request_id=True, access_log="json")


def create_large_app() -> dyne.App:
    """Return the observed bench app with the large route count (for ``uvicorn --factory``)."""
    return create_app(LARGE_ROUTES)
