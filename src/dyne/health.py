"""Liveness and readiness endpoints: ``app.health()``.

``GET /health/live`` answers 200 while the process serves requests. ``GET /health/ready``
runs every registered check (``app.add_health_check(name, check)``; extensions register
their own, e.g. the database of ``dyne.ext.db.alchemical``) concurrently, each bounded by
a timeout, and answers 200 when all pass, else 503. The body names each check and says
``ok``, ``fail`` or ``timeout``, never an error message (those go to the log). Probes that
arrive while a check runs share that run: a flood of probes runs each check once at a time.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
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


# The run of each check in flight, per app and event loop: requests arriving while a check
# runs share its result, so a flood of readiness probes (the endpoint is public) never
# multiplies the checks' own work, e.g. database connections taken from the pool.
_in_flight: weakref.WeakKeyDictionary[Any, dict[tuple[Any, str], asyncio.Task[str]]] = (
    weakref.WeakKeyDictionary()
)


def _shared(app: App, name: str, check: Callable[..., Any], timeout: float) -> Any:
    loop = asyncio.get_running_loop()
    flights = _in_flight.setdefault(app, {})
    key = (loop, name)
    task = flights.get(key)
    if task is None:
        task = loop.create_task(_one(name, as_async(check), timeout))
        flights[key] = task

        def landed(done: asyncio.Task[str]) -> None:
            if flights.get(key) is done:
                del flights[key]

        task.add_done_callback(landed)
    # Shielded: a waiter whose client went away does not cancel the others' run.
    return asyncio.shield(task)


async def run_checks(app: App, timeout: float = DEFAULT_HEALTH_TIMEOUT) -> dict[str, str]:
    """Run every check registered on ``app`` concurrently: ``{name: "ok" | "fail" |
    "timeout"}``. A check fails by raising or returning ``False``. A check already running
    for another caller is not started again: its result is shared."""
    checks = dict(app.health_checks)
    results = await asyncio.gather(*(_shared(app, n, c, timeout) for n, c in checks.items()))
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
