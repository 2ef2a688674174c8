"""`dyne run --server granian`: a real Granian process on 127.0.0.1 (lifespan, WebSockets,
streaming, workers, reload), and the options and errors of the command.

Every wait is bounded; every process is stopped by its PID.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from click.testing import CliRunner

from dyne.cli import cli
from support import ChildProcess, free_port

WAIT = 30  # seconds any one step may take before the test fails

APP = textwrap.dedent(
    """
    import os

    import dyne

    app = dyne.App()
    started = []


    @app.on_event("startup")
    async def startup():
        if os.environ.get("GRANIAN_TEST_FAIL_STARTUP"):
            raise RuntimeError("the database is unreachable")
        started.append(os.getpid())
        print(f"APP STARTED {os.getpid()}", flush=True)


    @app.on_event("shutdown")
    async def shutdown():
        with open(os.environ["GRANIAN_TEST_SHUTDOWN_FILE"], "a") as f:
            f.write(f"shutdown {os.getpid()}\\n")


    @app.route("/")
    async def home(req, resp):
        resp.text = "VERSION 1"


    @app.route("/started")
    async def was_started(req, resp):
        resp.media = {"started": started, "pid": os.getpid()}


    @app.route("/client")
    async def client(req, resp):
        resp.media = {"host": req.client.host, "secure": req.is_secure}


    @app.route("/stream")
    async def stream(req, resp):
        @resp.stream
        async def body():
            for i in range(3):
                yield f"chunk {i};"


    @app.route("/ws", websocket=True)
    async def echo(ws):
        await ws.accept()
        name = await ws.receive_text()
        await ws.send_text(f"Hello {name}!")
        await ws.close()
    """
)


def _skip_or_fail(reason: str) -> None:
    """Skip without Granian; on CI, where ``.[full,test]`` installs it, fail instead."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the Granian tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module", autouse=True)
def _granian_installed() -> None:
    try:
        import granian  # noqa: F401
    except ModuleNotFoundError:
        _skip_or_fail('Granian is not installed (pip install "dyne[granian]")')


class Process(ChildProcess):
    """A ``dyne ... run --server granian`` child whose output lines a test can wait for."""

    def __init__(self, directory: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.shutdown_file = directory / "shutdown.log"
        unset = ("DEBUG", "DYNE_APP", "PORT", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS")
        environ = {k: v for k, v in os.environ.items() if k not in unset}
        environ.update(
            PYTHONUNBUFFERED="1", GRANIAN_TEST_SHUTDOWN_FILE=str(self.shutdown_file), **(env or {})
        )
        command = [sys.executable, "-m", "dyne", "--app", "granian_app", "--port", str(self.port)]
        super().__init__(
            [*command, "run", "--server", "granian", *args],
            directory,
            environ,
            new_session=True,  # Granian forks workers: a stuck stop kills the group
            wait=WAIT,
        )
        self.url = f"http://127.0.0.1:{self.port}"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "granian_app.py").write_text(APP, encoding="utf-8")
    return tmp_path


@pytest.fixture
def launch(project: Path) -> Iterator[Any]:
    started: list[Process] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Process:
        process = Process(project, *args, env=env)
        started.append(process)
        process.wait_for("APP STARTED")
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    """One Granian process shared by the read-only tests of this module."""
    directory = tmp_path_factory.mktemp("granian")
    (directory / "granian_app.py").write_text(APP, encoding="utf-8")
    process = Process(directory)
    try:
        process.wait_for("APP STARTED")
        yield process
    finally:
        process.stop()


def test_granian_serves_the_app_over_http(live: Process) -> None:
    response = httpx2.get(live.url + "/", timeout=WAIT)
    assert (response.status_code, response.text) == (200, "VERSION 1")


def test_granian_runs_the_startup_event_in_the_serving_process(live: Process) -> None:
    answer = httpx2.get(live.url + "/started", timeout=WAIT).json()
    assert answer["started"] == [answer["pid"]]


def test_granian_streams_a_response_in_chunks(live: Process) -> None:
    with httpx2.stream("GET", live.url + "/stream", timeout=WAIT) as response:
        assert response.headers.get("transfer-encoding") == "chunked"
        body = b"".join(response.iter_bytes())
    assert body == b"chunk 0;chunk 1;chunk 2;"


def test_granian_serves_websockets(live: Process) -> None:
    client = pytest.importorskip("websockets.sync.client")
    with client.connect(live.url.replace("http", "ws") + "/ws", open_timeout=WAIT) as ws:
        ws.send("granian")
        assert ws.recv(timeout=WAIT) == "Hello granian!"


FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def test_granian_trusts_forwarded_headers_from_the_local_proxy(live: Process) -> None:
    answer = httpx2.get(live.url + "/client", headers=FORWARDED, timeout=WAIT).json()
    assert answer == {"host": "203.0.113.7", "secure": True}


def test_granian_ignores_forwarded_headers_from_an_untrusted_peer(launch: Any) -> None:
    process = launch(env={"FORWARDED_ALLOW_IPS": "192.0.2.1"})
    answer = httpx2.get(process.url + "/client", headers=FORWARDED, timeout=WAIT).json()
    assert answer == {"host": "127.0.0.1", "secure": False}


def test_granian_runs_the_shutdown_event_when_stopped(launch: Any) -> None:
    process = launch()
    assert httpx2.get(process.url + "/", timeout=WAIT).status_code == 200
    process.stop()
    assert process.shutdown_file.read_text(encoding="utf-8").startswith("shutdown ")


def test_granian_exits_when_the_startup_event_fails(project: Path) -> None:
    process = Process(project, env={"GRANIAN_TEST_FAIL_STARTUP": "1"})
    try:
        returncode = process.popen.wait(timeout=WAIT)
    finally:
        process.stop()
    assert returncode != 0
    assert "the database is unreachable" in "".join(process.lines)


def test_granian_starts_the_requested_number_of_workers(launch: Any) -> None:
    process = launch("--workers", "2")
    process.wait_for("APP STARTED", count=2)
    # Granian's own line once a worker serves: a SIGTERM before it can hang Granian.
    process.wait_for("Started worker-", count=2)
    pids = {line.split()[-1] for line in process.lines if "APP STARTED" in line}
    assert len(pids) == 2


def test_granian_reload_serves_the_changed_code(launch: Any, project: Path) -> None:
    process = launch("--reload")
    assert httpx2.get(process.url + "/", timeout=WAIT).text == "VERSION 1"
    source = project / "granian_app.py"
    source.write_text(APP.replace("VERSION 1", "VERSION 2"), encoding="utf-8")
    process.wait_for("APP STARTED", count=2)
    assert httpx2.get(process.url + "/", timeout=WAIT).text == "VERSION 2"


# The command's options and errors, without a server


@pytest.fixture
def recorded(project: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Replace granian.Granian with a recorder of its keyword arguments."""
    import granian

    calls: list[dict[str, Any]] = []
    start_method = multiprocessing.get_start_method(allow_none=True)

    class Recorder:
        def __init__(self, **options: Any) -> None:
            calls.append(options)

        def serve(self, **options: Any) -> None:
            pass

    monkeypatch.setattr(granian, "Granian", Recorder)
    monkeypatch.chdir(project)
    monkeypatch.syspath_prepend(str(project))
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.delitem(sys.modules, "granian_app", raising=False)
    yield calls
    # `dyne run --server granian` chooses spawned workers for its own process: not pytest's.
    multiprocessing.set_start_method(start_method, force=True)


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, ["--app", "granian_app", *args], env=env)


def test_run_server_granian_serves_the_import_string_over_asgi(recorded: list[Any]) -> None:
    from granian.constants import Interfaces

    result = invoke("run", "--server", "granian", "--host", "0.0.0.0", "--port", "9100")
    assert result.exit_code == 0, result.output
    options = recorded[0]
    assert (options["target"], options["interface"]) == ("granian_app:app", Interfaces.ASGI)
    assert (options["address"], options["port"]) == ("0.0.0.0", 9100)


def test_run_server_granian_passes_workers_and_reload(recorded: list[Any]) -> None:
    assert invoke("run", "--server", "granian", "--workers", "3").exit_code == 0
    assert invoke("run", "--server", "granian", "--reload").exit_code == 0
    assert [(c["workers"], c["reload"]) for c in recorded] == [(3, False), (1, True)]


def test_run_server_granian_reads_web_concurrency(recorded: list[Any]) -> None:
    result = invoke("run", "--server", "granian", env={"WEB_CONCURRENCY": "4"})
    assert result.exit_code == 0, result.output
    assert recorded[0]["workers"] == 4


def test_run_server_granian_refuses_a_bad_web_concurrency(recorded: list[Any]) -> None:
    result = invoke("run", "--server", "granian", env={"WEB_CONCURRENCY": "many"})
    assert result.exit_code == 2
    assert "WEB_CONCURRENCY must be a number of workers of at least 1, not 'many'" in result.output
    assert recorded == []


def test_run_server_granian_turns_its_access_log_off_under_dynes(
    recorded: list[Any], project: Path
) -> None:
    source = APP.replace("dyne.App()", 'dyne.App(access_log="text")')
    (project / "granian_app.py").write_text(source, encoding="utf-8")
    assert invoke("run", "--server", "granian").exit_code == 0
    assert recorded[0]["log_access"] is False


def test_run_server_granian_keeps_its_access_log_by_default(recorded: list[Any]) -> None:
    assert invoke("run", "--server", "granian").exit_code == 0
    assert recorded[0]["log_access"] is True


def test_run_server_comes_from_dyne_server_env(recorded: list[Any]) -> None:
    assert invoke("run", env={"DYNE_SERVER": "granian"}).exit_code == 0
    assert len(recorded) == 1


def test_run_server_refuses_an_unknown_server(recorded: list[Any]) -> None:
    result = invoke("run", "--server", "gunicorn")
    assert result.exit_code == 2
    assert "'gunicorn' is not one of 'uvicorn', 'granian'" in result.output


def test_run_server_granian_without_granian_names_the_extra(
    recorded: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "granian", None)
    result = invoke("run", "--server", "granian")
    assert result.exit_code == 1
    assert 'install it with: pip install "dyne[granian]"' in result.output
    assert recorded == []
