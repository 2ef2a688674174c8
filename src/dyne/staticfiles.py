"""Static files under ``static_route``, and the single-page-app index for unknown GETs."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import PlainTextResponse
from starlette.staticfiles import StaticFiles as _StarletteStaticFiles

from dyne.exceptions import HTTPException
from dyne.problems import Problem, problem_details_enabled, problem_messages
from dyne.routing import Mount, Route, RouteError
from dyne.types import Receive, Scope, Send

if TYPE_CHECKING:
    from dyne.app import App
    from dyne.request import Request
    from dyne.response import Response

__all__ = ["StaticFiles", "add_single_page_app", "mount_static"]


class StaticFiles(_StarletteStaticFiles):
    """Starlette's static files, answering its own errors (404, 405, 400 for bad ranges).

    Paths that leave the directory (``..``, encoded or not, absolute paths, symlinks
    pointing outside), paths with a NUL byte and hidden names (a segment starting with
    ``.``, such as ``.env`` or ``.git``; ``.well-known`` excepted) are all a plain 404.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        super().__init__(directory=directory, check_dir=False)

    async def check_config(self) -> None:
        """Accept a directory that went missing: its files are then simply not found."""

    def get_path(self, scope: Scope) -> str:
        """The file's path below the directory; hidden names are not served."""
        path = super().get_path(scope)
        # A static folder can hold what nobody meant to publish: a .env, a checkout's .git,
        # an editor's swap file. (After normpath: ".." is gone, "." is the folder itself.)
        if any(part.startswith(".") and part not in _VISIBLE for part in _parts(path)):
            raise StarletteHTTPException(404)
        return path

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        """The file's full path and stat, or ``("", None)``: not found, or not servable."""
        try:
            return super().lookup_path(path)
        except OSError:
            # A symlink loop (ELOOP), a name the server may not read (which Starlette
            # answers 401), ...: a 404, never a 500 or a hint that the file exists.
            return "", None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except StarletteHTTPException as exc:
            # Mounted apps answer for themselves; Starlette expects an outer layer to turn
            # these into responses, and Dyne has none around a mount.
            if problem_details_enabled(scope.get("app")):
                start, body = problem_messages(scope, Problem.from_exception(exc))
                await send(start)
                await send(body)
                return
            text = "Not Found" if exc.status_code == 404 else str(exc.detail)
            response = PlainTextResponse(text, status_code=exc.status_code, headers=exc.headers)
            await response(scope, receive, send)


_VISIBLE = frozenset({".", ".well-known"})


def _parts(path: str) -> list[str]:
    # Both separators: on Windows normpath writes "\\", and a "\\" in a URL is a separator there.
    return path.replace("\\", "/").split("/")


def mount_static(app: App) -> None:
    """Serve ``app.static_dir`` under ``app.static_route`` (the directory must exist)."""
    if app._static_path is None or app.static_route is None:
        return
    app.router.add(Mount(app.static_route, StaticFiles(app._static_path), name="static"))


def add_single_page_app(app: App, path: str) -> None:
    """Serve ``static/index.html`` at ``path`` and for every GET no route matches.

    Real routes keep answering (and their 404s stay 404s); so do paths under
    ``static_route``, where a missing asset is a 404, not the index page.
    """
    if app._static_path is None:
        raise RouteError("add_route(static=True) needs a static_dir; pass App(static_dir=...).")
    index = os.path.join(app._static_path, "index.html")
    # With static_route=None nothing is served as a static file, so no path is excluded.
    static_prefix = app.static_route.rstrip("/") + "/" if app.static_route is not None else None

    async def single_page_app(req: Request, resp: Response) -> None:
        """The single-page app's ``index.html``."""
        _serve_index(resp, index)

    async def fallback(req: Request, resp: Response) -> None:
        if static_prefix is not None and (req.path + "/").startswith(static_prefix):
            raise HTTPException(404)
        _serve_index(resp, index)

    app.router.add(Route(path, single_page_app, name="single_page_app"))
    app.set_not_found_fallback(fallback)


def _serve_index(resp: Response, index: str) -> None:
    if not os.path.isfile(index):
        raise HTTPException(404)
    resp.file(index, content_type="text/html; charset=utf-8")
