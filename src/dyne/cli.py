"""The ``dyne`` command: run an app with uvicorn, list its routes, and host plugin commands.

Plugins add commands with ``@cli.command()`` after ``from dyne.cli import cli``; packages that
declare the ``dyne.cli`` entry-point group are imported the first time the CLI looks up or
lists its commands.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import click
import uvicorn

from dyne.__version__ import __version__
from dyne._utils import require
from dyne.exceptions import MissingDependency
from dyne.servers import DEFAULT_SERVER, SERVERS, granian_options, serve_granian

if TYPE_CHECKING:
    from dyne.app import App

__all__ = ["CliContext", "DyneGroup", "cli", "load_app", "main"]

_PLUGIN_GROUP = "dyne.cli"
_DEFAULT_PORT = 8000
_PORT = click.IntRange(0, 65535)
_PORT_HELP = "Port to bind to.  [default: the app's PORT setting, else 8000]"
_RELOAD_HELP = "Restart on code changes. Defaults to on with --debug, off otherwise."
_DEFAULT_APP = "app:app"
_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _file_hint(target: str, module: str, attribute: str) -> str | None:
    """The ``--app`` to use instead when ``target`` names a file (``helloworld.py``)."""
    if not (module.endswith(".py") or "/" in module or "\\" in module):
        return None
    path = PurePath(module.replace("\\", "/"))
    name = path.stem if path.suffix == ".py" else path.name
    suggestion = name if attribute == "app" else f"{name}:{attribute}"
    where = str(path.parent)
    folder = "" if where in ("", ".") else f" from the folder {where}"
    return (
        f"--app takes a module, not a file: '{target}' is a file name; run "
        f"dyne --app {suggestion}{folder}."
    )


def _split_target(target: str) -> tuple[str, str]:
    """Split ``module[:attribute]`` into its parts, defaulting the attribute to ``app``."""
    module, sep, attribute = target.strip().partition(":")
    if not sep:
        attribute = "app"
    hint = _file_hint(target, module, attribute)
    if hint is not None:
        raise click.ClickException(hint)
    parts_ok = all(part.isidentifier() for part in module.split(".")) and all(
        part.isidentifier() for part in attribute.split(".")
    )
    if not parts_ok:
        raise click.ClickException(
            f"Invalid app '{target}'; use module:variable, for example myproject.main:app."
        )
    return module, attribute


def load_app(target: str) -> App:
    """Import ``module:variable`` (``module`` alone means ``module:app``) and return the App.

    :raises click.ClickException: a one-line error when the module or attribute is missing or
        the object is not a :class:`dyne.App`.
    """
    from dyne import App

    module_name, attribute = _split_target(target)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if module_name == missing or module_name.startswith(missing + "."):
            raise click.ClickException(
                f"Could not import module '{module_name}' for app '{target}'; check --app "
                "(or DYNE_APP) and run dyne from the directory that contains the module."
            ) from None
        raise
    obj: Any = module
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise click.ClickException(
                f"Module '{module_name}' has no attribute '{attribute}'; pass --app "
                f"{module_name}:<name of your App instance>."
            ) from None
    if not isinstance(obj, App):
        kind = type(obj).__name__
        raise click.ClickException(
            f"'{module_name}:{attribute}' is a {kind}, not a dyne.App; point --app at your "
            "App instance (module:variable)."
        )
    return obj


@dataclass
class CliContext:
    """The global options, shared with every command through ``click.pass_obj``."""

    app_path: str = _DEFAULT_APP
    debug: bool = False
    host: str = "127.0.0.1"
    #: ``--port``; None when not given: ``run`` then uses the app's ``PORT`` setting, else 8000
    port: int | None = None
    reload: bool = False

    @property
    def import_string(self) -> str:
        """The app's ``module:variable`` import string, with ``:app`` filled in."""
        module, attribute = _split_target(self.app_path)
        return f"{module}:{attribute}"

    @property
    def log_level(self) -> str:
        """``debug`` under ``--debug``, else ``info``."""
        return "debug" if self.debug else "info"

    def load_app(self) -> App:
        """Import and return the App named by ``--app``; one-line error when it is wrong."""
        return load_app(self.app_path)


class DyneGroup(click.Group):
    """A click group that imports ``dyne.cli`` entry-point plugins before listing commands."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Create the group; plugins are loaded lazily, once."""
        super().__init__(*args, **kwargs)
        self.plugins_loaded = False

    def load_plugins(self) -> None:
        """Import every ``dyne.cli`` entry point; warn in one line for each that fails."""
        if self.plugins_loaded:
            return
        self.plugins_loaded = True
        for entry_point in entry_points(group=_PLUGIN_GROUP):
            try:
                loaded = entry_point.load()
            except Exception as exc:
                click.echo(
                    f"Warning: could not load dyne CLI plugin '{entry_point.name}' "
                    f"({entry_point.value}): {type(exc).__name__}: {exc}; "
                    "reinstall or remove the package that provides it.",
                    err=True,
                )
                continue
            if isinstance(loaded, click.Command):
                self.add_command(loaded, entry_point.name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """List built-in and plugin commands."""
        self.load_plugins()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Find a built-in or plugin command by name."""
        self.load_plugins()
        return super().get_command(ctx, cmd_name)


@click.group(cls=DyneGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--app",
    "-a",
    "app_path",
    envvar="DYNE_APP",
    default=_DEFAULT_APP,
    show_default=True,
    show_envvar=True,
    metavar="MODULE:VARIABLE",
    help="The Dyne application to use; a bare module means MODULE:app.",
)
@click.option(
    "--debug",
    is_flag=True,
    help="Debug log level, reload unless --no-reload, and DEBUG=true in the environment.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind to.")
@click.option("--port", type=_PORT, help=_PORT_HELP)
@click.option("--reload/--no-reload", default=None, help=_RELOAD_HELP)
@click.version_option(__version__, "--version", prog_name="dyne", message="%(prog)s %(version)s")
@click.pass_context
def cli(
    ctx: click.Context,
    app_path: str,
    debug: bool,
    host: str,
    port: int | None,
    reload: bool | None,
) -> None:
    """Run and inspect Dyne applications."""
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    if debug:
        os.environ["DEBUG"] = "true"
    ctx.obj = CliContext(
        app_path=app_path,
        debug=debug,
        host=host,
        port=port,
        reload=debug if reload is None else reload,
    )


@cli.command("run")
@click.option("--host", default=None, help="Interface to bind to (same as dyne --host).")
@click.option("--port", type=_PORT, help="Port to bind to (same as dyne --port).")
@click.option("--reload/--no-reload", default=None, help="Same as dyne --reload/--no-reload.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Number of worker processes (default: 1, or $WEB_CONCURRENCY).",
)
@click.option(
    "--server",
    type=click.Choice(SERVERS),
    default=DEFAULT_SERVER,
    envvar="DYNE_SERVER",
    show_default=True,
    show_envvar=True,
    help='The HTTP server; granian needs pip install "dyne[granian]".',
)
@click.pass_obj
def _run(
    obj: CliContext,
    host: str | None,
    port: int | None,
    reload: bool | None,
    workers: int | None,
    server: str = DEFAULT_SERVER,
) -> None:
    """Serve the application with uvicorn (or --server granian).

    The serving options work before or after "run" (dyne --port 9000 run is dyne run
    --port 9000; after "run" wins). Without --port, the port is the app's PORT setting
    (environment, .env or config) as for app.run(), else 8000.
    """
    if host is not None:
        obj.host = host
    if port is not None:
        obj.port = port
    if reload is not None:
        obj.reload = reload
    if obj.reload and workers is not None and workers > 1:
        raise click.UsageError(
            f"--workers {workers} cannot be combined with reload; pass --no-reload "
            "or drop --workers."
        )
    if server == "granian":
        try:
            require("granian", "granian")
        except MissingDependency as exc:
            raise click.ClickException(str(exc)) from None
    app = obj.load_app()
    if obj.debug and app.config.env_prefix:
        # An app with env_prefix="DYNE_" looks up DYNE_DEBUG, not DEBUG.
        os.environ[f"{app.config.env_prefix}DEBUG"] = "true"
    if obj.port is None:
        obj.port = _app_port(app)
    # App(access_log=...) logs each request already: the server's own log would repeat it.
    access_log = getattr(app, "access_log_style", None) is None
    common: dict[str, Any] = {
        "host": obj.host,
        "port": obj.port,
        "reload": obj.reload,
        "workers": workers,
        "log_level": obj.log_level,
    }
    if server == "granian":
        try:
            granian = granian_options(obj.import_string, access_log=access_log, **common)
        except ValueError as exc:  # a bad $WEB_CONCURRENCY
            raise click.UsageError(str(exc)) from None
        serve_granian(granian)
        return
    if not access_log:
        common["access_log"] = False
    uvicorn.run(obj.import_string, **common)


def _app_port(app: App) -> int:
    """The app's ``PORT`` setting, read the way ``app.run()`` reads it, else 8000."""
    try:
        port = app.config.get("PORT", cast=int, default=_DEFAULT_PORT)
    except (TypeError, ValueError) as exc:
        raise click.UsageError(f"PORT must be a port number from 0 to 65535 ({exc}).") from None
    if not 0 <= port <= 65535:
        raise click.UsageError(f"PORT must be a port number from 0 to 65535, not {port}.")
    return int(port)


def _describe_endpoint(endpoint: Any) -> str:
    """Name an endpoint as ``module.qualname``, or its class for objects such as mounted apps."""
    if endpoint is None:
        return ""
    target = endpoint if hasattr(endpoint, "__qualname__") else type(endpoint)
    module = getattr(target, "__module__", None)
    qualname = getattr(target, "__qualname__", repr(target))
    return f"{module}.{qualname}" if module else qualname


def _describe_methods(route: Any) -> str:
    """Render a route's methods, or WEBSOCKET / MOUNT for routes without HTTP methods."""
    methods = getattr(route, "methods", None)
    if methods is None:
        kind = type(route).__name__
        if kind == "WebSocketRoute":
            return "WEBSOCKET"
        if kind == "Mount":
            return "MOUNT"
        return "*"
    known = [method for method in _METHOD_ORDER if method in methods]
    return ", ".join(known + sorted(set(methods) - set(_METHOD_ORDER)))


def _format_routes(routes: Sequence[Any]) -> str:
    """Render routes as an aligned table: path, methods, name, endpoint."""
    header = ("Path", "Methods", "Name", "Endpoint")
    rows = [
        (
            str(route.path),
            _describe_methods(route),
            str(getattr(route, "name", "") or ""),
            _describe_endpoint(getattr(route, "endpoint", None)),
        )
        for route in routes
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    rule = tuple("-" * width for width in widths)
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, rule, *rows]
    ]
    return "\n".join(lines)


@cli.command("routes")
@click.pass_obj
def _routes(obj: CliContext) -> None:
    """List the app's routes with their methods and endpoints."""
    app = obj.load_app()
    if not app.routes:
        click.echo("No routes registered.")
        return
    click.echo(_format_routes(app.routes))


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``dyne`` console script and ``python -m dyne``."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="dyne")
