"""Helpers shared by tests in several folders (``tests/`` is on the import path)."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ChildProcess:
    """A child process (stdout and stderr merged) whose output lines are collected by a
    thread, so that a test can wait, bounded, for a line; stopped by its PID only.

    :param new_session: start it in a process group of its own (a server that forks
        workers), so that a stop that times out can kill the whole group.
    """

    def __init__(
        self,
        args: Sequence[str],
        cwd: Path,
        env: dict[str, str],
        *,
        new_session: bool = False,
        wait: float = 30,
    ) -> None:
        self.wait = wait
        self.new_session = new_session
        self.popen = subprocess.Popen(
            list(args),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=new_session,
        )
        self.pid = self.popen.pid
        self.lines: list[str] = []
        self._new: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.append(line)
            self._new.put(line)
        self._new.put(None)  # end of output: the process has closed its stdout

    def wait_for(self, text: str, count: int = 1, timeout: float | None = None) -> str:
        """The ``count``-th output line (already seen or still to come) containing ``text``;
        an AssertionError showing the output when it does not come within ``timeout``."""
        deadline = time.monotonic() + (self.wait if timeout is None else timeout)
        while True:
            matching = [line for line in list(self.lines) if text in line]
            if len(matching) >= count:
                return matching[count - 1]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                line = self._new.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                break
        matching = [line for line in list(self.lines) if text in line]
        if len(matching) >= count:
            return matching[count - 1]
        raise AssertionError(f"{count} x {text!r} not seen from pid {self.pid}:\n{self.output}")

    @property
    def output(self) -> str:
        """The last 60 lines of output."""
        return "".join(self.lines[-60:])

    def stop(self) -> int:
        """SIGTERM by PID, then SIGKILL (its group, with ``new_session``) if it has not
        exited within 15 s; the exit code."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                if self.new_session:
                    os.killpg(self.popen.pid, signal.SIGKILL)
                else:
                    self.popen.kill()
                self.popen.wait(timeout=15)
        self._reader.join(timeout=15)
        if self.popen.stdout is not None:
            self.popen.stdout.close()
        return self.popen.returncode


SECRET = "a-shared-secret-key-for-two-workers"


def login_worker(tmp_path: Path, monkeypatch: Any, store: Any) -> Any:
    """A 'worker' (an app sharing ``SECRET`` and the session ``store``) with LoginManager:
    POST /login logs alice in, POST /logout logs out, GET /me (login required) answers
    ``{"name", "id"}`` (the session id), GET /visit writes to the session."""
    import dyne
    from dyne.ext.auth.session import LoginManager

    monkeypatch.chdir(tmp_path)
    app = dyne.App(secret_key=SECRET, session_store=store)
    auth = LoginManager(app, login_url="/login")
    alice = {"id": 1, "name": "alice"}

    @auth.user_loader
    async def load_user(user_id: str) -> dict[str, Any] | None:
        return alice if user_id == "1" else None

    @app.route("/login", methods=["POST"])
    async def login(req: Any, resp: Any) -> None:
        await auth.login(req, resp, alice)

    @app.route("/logout", methods=["POST"])
    async def logout(req: Any, resp: Any) -> None:
        await auth.logout(req, resp)

    @app.route("/me")
    @auth.login_required
    async def me(req: Any, resp: Any) -> None:
        resp.media = {"name": req.state.user["name"], "id": req.session.id}

    @app.route("/visit")
    async def visit(req: Any, resp: Any) -> None:
        req.session["visits"] = req.session.get("visits", 0) + 1

    return app


def with_cookie(app: Any, method: str, path: str, value: str) -> Any:
    """``method path`` on ``app.client`` with only ``value`` as the session cookie."""
    app.client.cookies.clear()
    app.client.cookies.set("dyne-Session", value)
    return app.client.request(method, path, follow_redirects=False)


def add_chat(app: Any, channel: str = "chat") -> None:
    """A WebSocket at /listen that says "ready" once subscribed to ``channel``, then passes
    on one message; POST /say/{text} publishes ``text`` there and answers "sent"."""

    @app.route("/listen", websocket=True)
    async def listen(ws: Any) -> None:
        await ws.accept()
        async with app.broadcast.subscribe(channel) as messages:
            await ws.send_text("ready")
            async for message in messages:
                await ws.send_text(message)
                break
        await ws.close()

    @app.route("/say/{text}", methods=["POST"])
    async def say(req: Any, resp: Any, text: str) -> None:
        await app.broadcast.publish(channel, text)
        resp.text = "sent"
