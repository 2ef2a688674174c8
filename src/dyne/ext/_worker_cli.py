"""``dyne worker``: run an app's background tasks from its task queue (``dyne.ext.tasks``).

Registered through the ``dyne.cli`` entry-point group, so it appears in ``dyne --help``
wherever Dyne is installed. It lives outside ``dyne.ext.tasks`` because importing that
package without ``dyne[tasks]`` raises ``MissingDependency``: the command must load
anyway, and says which extra to install only when it runs.
"""

from __future__ import annotations

import logging

import click

from dyne.cli import CliContext

__all__ = ["worker"]


@click.command("worker")
@click.option(
    "--concurrency",
    "-c",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Tasks run at once (worker threads) in this process.",
)
@click.option(
    "--shutdown-timeout",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds running tasks get to finish on SIGTERM/Ctrl-C.",
)
@click.pass_obj
def worker(obj: CliContext, concurrency: int, shutdown_timeout: float) -> None:
    """Run the app's background tasks from its task queue (dyne.ext.tasks.TaskQueue)."""
    app = obj.load_app()
    try:
        from dyne.ext.tasks import TaskQueue, TaskQueueUnavailable
    except ImportError as exc:
        raise click.ClickException(f"{exc}.") from None
    queue = app.background.broker
    if not isinstance(queue, TaskQueue):
        raise click.ClickException(
            f"The app {obj.app_path} has no task queue, so its tasks run in the web "
            "process; add TaskQueue(app, 'redis://127.0.0.1:6379/0') from dyne.ext.tasks."
        )
    try:
        queue.check_connection()
        logging.basicConfig(
            level=logging.DEBUG if obj.debug else logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s",
        )
        queue.run_worker(concurrency, shutdown_timeout=shutdown_timeout)
    except TaskQueueUnavailable as exc:
        raise click.ClickException(
            f"Could not reach the task queue's Redis at {queue.url} ({exc.cause}); start "
            "Redis or fix the URL given to TaskQueue."
        ) from None
