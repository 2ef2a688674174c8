"""Liveness and readiness endpoints: ``app.health()``.

``GET /health/live`` answers 200 while the process serves requests. ``GET /health/ready``
runs every registered check (``app.add_health_check(name, check)``; extensions register
their own, e.g. the database of ``dyne.ext.db.alchemical``) concurrently, each bounded by
a timeout, and answers 200 when all pass, else 503. The body names each check and says
``ok``, ``fail`` or ``timeout``, never an error message (those go to the log).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dyne._utils import as_async

if TYPE_CHECKING:
    from dyne.app import App
    from dyne.request import Request
    from dyne.response import Response

__all__ = ["DEFAULT_HEALTH_TIMEOUT", "install", "run_checks"]

logger = logging.getLogger("dyne.health")

#: Seconds one readiness check may take before it counts as failed.
DEFAULT_HEALTH_TIMEOUT = 2.0


async def _one(name: str, check: Callable[..., Any], timeout: float) -> str:
    try:
        result = await asyncio.wait_for(check(), timeout)
    except TimeoutError:
        logger.warning("Health check %r took longer than %ss", name, timeout)
        return "timeout"
    except Exception as exc:
        logger.warning("Health check %r failed: %s", name, type(exc).__name__, exc_info=exc)
        return "fail"
    if result is False:
        logger.warning("Health check %r returned False", name)
        return "fail"
    return "ok"


async def run_checks(app: App, timeout: float = DEFAULT_HEALTH_TIMEOUT) -> dict[str, str]:
    """Run every check registered on ``app`` concurrently: ``{name: "ok" | "fail" |
    "timeout"}``. A check fails by raising or returning ``False``."""
    checks = {name: as_async(check) for name, check in app.health_checks.items()}
    results = await asyncio.gather(*(_one(n, c, timeout) for n, c in checks.items()))
    return dict(zip(checks, results, strict=True))


def install(
    app: App,
    path: str = "/health",
    *,
    timeout: float = DEFAULT_HEALTH_TIMEOUT,
    observe: bool = False,
) -> None:
    """Register ``GET {path}/live`` and ``GET {path}/ready`` on ``app``; unless ``observe``,
    they are left out of the access log and of traces."""
    base = path.rstrip("/")
    live_path, ready_path = f"{base}/live", f"{base}/ready"

    async def live(req: Request, resp: Response) -> None:
        resp.headers["cache-control"] = "no-store"
        resp.media = {"status": "ok"}

    async def ready(req: Request, resp: Response) -> None:
        results = await run_checks(app, timeout)
        healthy = all(result == "ok" for result in results.values())
        resp.headers["cache-control"] = "no-store"
        resp.status_code = 200 if healthy else 503
        resp.media = {"status": "ok" if healthy else "fail", "checks": results}

    app.add_route(live_path, live, name="health_live")
    app.add_route(ready_path, ready, name="health_ready")
    if not observe:
        app.unobserved_paths.update((live_path, ready_path))
