"""The servers ``dyne run`` can serve an app with: uvicorn (the default) and Granian.

Granian is the Rust HTTP server; it is the optional ``granian`` extra
(``pip install "dyne[granian]"``). Like uvicorn under ``dyne run``, it is handed the app's
import string (``module:variable``), so each of its worker processes imports the app itself:
that is what makes ``--workers`` and ``--reload`` work. Each worker wraps the app in
uvicorn's proxy-headers middleware, so ``FORWARDED_ALLOW_IPS`` means the same on both.
"""

from __future__ import annotations

import functools
import importlib
import multiprocessing
import os
import sys
from pathlib import Path
from typing import Any

from dyne._utils import require

__all__ = ["DEFAULT_SERVER", "SERVERS", "granian_options", "load_behind_proxy", "serve_granian"]

#: The servers ``dyne run --server`` accepts.
SERVERS = ("uvicorn", "granian")
#: The server ``dyne run`` uses without ``--server``.
DEFAULT_SERVER = "uvicorn"


def _web_concurrency() -> int:
    """``$WEB_CONCURRENCY`` (as uvicorn reads it), else 1."""
    value = os.environ.get("WEB_CONCURRENCY", "").strip()
    if not value:
        return 1
    try:
        workers = int(value)
    except ValueError:
        workers = 0
    if workers < 1:
        raise ValueError(
            f"WEB_CONCURRENCY must be a number of workers of at least 1, not {value!r}; "
            "fix it or pass --workers."
        )
    return workers


def granian_options(
    import_string: str,
    *,
    host: str,
    port: int,
    reload: bool = False,
    workers: int | None = None,
    log_level: str = "info",
    access_log: bool = True,
) -> dict[str, Any]:
    """The keyword arguments of ``granian.Granian`` that serve ``import_string`` over ASGI.

    The ASGI interface runs the app's lifespan (startup and shutdown events) and WebSockets.
    ``workers=None`` means ``$WEB_CONCURRENCY``, else 1, as with uvicorn. ``access_log``
    turns Granian's own access log on, as uvicorn's is by default.

    :raises MissingDependency: Granian is not installed.
    """
    require("granian", "granian")
    from granian.constants import Interfaces
    from granian.log import LogLevels

    return {
        "target": import_string,
        "address": host,
        "port": port,
        "interface": Interfaces.ASGI,
        "workers": _web_concurrency() if workers is None else workers,
        "reload": reload,
        "log_level": LogLevels(log_level),
        "log_access": access_log,
        # Each worker imports the app from here, as `dyne run` does in the parent.
        "working_dir": Path.cwd(),
    }


def load_behind_proxy(target: str, directory: str, trusted_hosts: str) -> Any:
    """Import ``target`` (``module:variable``) from ``directory`` and wrap it in uvicorn's
    proxy-headers middleware trusting ``trusted_hosts``.

    Each Granian worker calls this to load the app. uvicorn applies the same middleware
    itself, so behind a proxy listed in ``FORWARDED_ALLOW_IPS`` (default the local host)
    ``X-Forwarded-For`` and ``X-Forwarded-Proto`` set ``req.client`` and the scheme on
    either server, and from any other peer they are ignored.
    """
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    if directory not in sys.path:
        sys.path.insert(0, directory)
    module_name, _, attribute = target.partition(":")
    app: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        app = getattr(app, part)
    return ProxyHeadersMiddleware(app, trusted_hosts=trusted_hosts)


def serve_granian(options: dict[str, Any]) -> None:
    """Serve with Granian, built from :func:`granian_options`, until it is stopped.

    :raises MissingDependency: Granian is not installed (``pip install "dyne[granian]"``).
    """
    granian = require("granian", "granian")
    # `dyne run` has imported the app in this process already. Forked workers would inherit
    # that import (stale after a reload, and sharing whatever the module opened); spawned
    # workers import the app afresh, as uvicorn's do.
    multiprocessing.set_start_method("spawn", force=True)
    loader = functools.partial(
        load_behind_proxy,
        options["target"],
        str(options["working_dir"]),
        # uvicorn's default, read the way uvicorn reads it.
        os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
    )
    granian.Granian(**options).serve(target_loader=loader, wrap_loader=False)
