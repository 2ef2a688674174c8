"""Tests for the ``dyne`` command: options, app loading, run, routes, plugins, a real server."""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import uvicorn
from click.testing import CliRunner, Result

import dyne
import dyne.cli
from dyne.cli import CliContext, cli, main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

APP_SOURCE = """
import dyne

app = dyne.App()


@app.route("/")
async def home(req, resp):
    resp.text = "home"


@app.route("/items/{id:int}", methods=["GET", "POST"], name="item")
async def item(req, resp, *, id):
    resp.media = {"id": id}


@app.route("/ws", websocket=True)
async def ws(ws):
    await ws.accept()
    await ws.close()
"""


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run in an empty directory and undo what the CLI changes in this process.

    The CLI puts the cwd on sys.path, may set DEBUG, imports app modules and registers
    plugin commands; each is restored so tests cannot see each other's state. Only modules
    written under tmp_path are forgotten, so library modules imported lazily stay unique.
    """
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(cli, "commands", dict(cli.commands))
    monkeypatch.setattr(cli, "plugins_loaded", False)
    saved_environ = dict(os.environ)
    saved_modules = set(sys.modules)
    for name in ("DYNE_APP", "DEBUG", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    importlib.invalidate_caches()
    yield tmp_path
    for name in set(sys.modules) - saved_modules:
        if str(getattr(sys.modules[name], "__file__", None) or "").startswith(str(tmp_path)):
            del sys.modules[name]
    os.environ.clear()
    os.environ.update(saved_environ)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Replace uvicorn.run with a recorder of its calls."""
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


def write_module(directory: Path, name: str, source: str = APP_SOURCE) -> Path:
    """Write ``name.py`` (a dotted name makes packages) under ``directory``."""
    *packages, module = name.split(".")
    for index in range(len(packages)):
        package = directory.joinpath(*packages[: index + 1])
        package.mkdir(exist_ok=True)
        (package / "__init__.py").touch()
    path = directory.joinpath(*packages, f"{module}.py")
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def invoke(*args: str) -> Result:
    """Run the CLI in-process with stderr kept apart from stdout."""
    return CliRunner().invoke(cli, list(args), prog_name="dyne")


# Global options


def test_version_prints_installed_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"dyne {dyne.__version__}"


def test_help_lists_built_in_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    assert "run" in result.output
    assert "routes" in result.output


def test_run_defaults(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "app")
    result = invoke("run")
    assert result.exit_code == 0, result.output
    assert served == [
        (
            ("app:app",),
            {
                "host": "127.0.0.1",
                "port": 8000,
                "reload": False,
                "workers": None,
                "log_level": "info",
            },
        )
    ]


def test_app_option_passes_import_string(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "project.main")
    result = invoke("--app", "project.main:app", "run")
    assert result.exit_code == 0, result.output
    assert served[0][0] == ("project.main:app",)


def test_app_short_option(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "project.main")
    result = invoke("-a", "project.main:app", "run")
    assert result.exit_code == 0, result.output
    assert served[0][0] == ("project.main:app",)


def test_app_option_module_alone_means_module_app(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "myapp")
    result = invoke("--app", "myapp", "run")
    assert result.exit_code == 0, result.output
    assert served[0][0] == ("myapp:app",)


def test_app_option_other_variable_name(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "myapp", "import dyne\napi = dyne.App()\n")
    result = invoke("--app", "myapp:api", "run")
    assert result.exit_code == 0, result.output
    assert served[0][0] == ("myapp:api",)


def test_app_option_defaults_to_dyne_app_variable(
    isolated: Path, served: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_module(isolated, "fromenv")
    monkeypatch.setenv("DYNE_APP", "fromenv")
    result = invoke("run")
    assert result.exit_code == 0, result.output
    assert served[0][0] == ("fromenv:app",)


def test_app_option_beats_dyne_app_variable(
    isolated: Path, served: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_module(isolated, "chosen")
    monkeypatch.setenv("DYNE_APP", "ignored")
    result = invoke("--app", "chosen", "run")
    assert result.exit_code == 0, result.output
    assert served[0][0] == ("chosen:app",)


def test_cwd_is_put_on_sys_path(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "app")
    sys.path[:] = [entry for entry in sys.path if entry not in ("", str(isolated))]
    result = invoke("run")
    assert result.exit_code == 0, result.output
    assert sys.path[0] == str(isolated)


def test_host_and_port_are_passed(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "app")
    result = invoke("--host", "0.0.0.0", "--port", "9000", "run")
    assert result.exit_code == 0, result.output
    assert (served[0][1]["host"], served[0][1]["port"]) == ("0.0.0.0", 9000)


def test_port_out_of_range_is_a_usage_error() -> None:
    result = invoke("--port", "70000", "run")
    assert result.exit_code == 2
    assert "70000" in result.output


def test_debug_sets_log_level_and_reload(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "app")
    result = invoke("--debug", "run")
    assert result.exit_code == 0, result.output
    assert (served[0][1]["log_level"], served[0][1]["reload"]) == ("debug", True)


def test_debug_sets_debug_true_in_environment(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "app")
    invoke("--debug", "run")
    assert os.environ["DEBUG"] == "true"


def test_debug_is_visible_to_the_app_config(isolated: Path, served: list[Any]) -> None:
    write_module(
        isolated,
        "app",
        "import dyne\napp = dyne.App()\nSEEN = app.config.get('DEBUG', cast=bool)\n",
    )
    invoke("--debug", "run")
    assert sys.modules["app"].SEEN is True


def test_debug_turns_on_app_debug(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "app")
    invoke("--debug", "run")
    assert sys.modules["app"].app.debug is True


def test_debug_reaches_an_app_with_an_env_prefix(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "app", "import dyne\napp = dyne.App(env_prefix='DYNE_')\n")
    invoke("--debug", "run")
    assert sys.modules["app"].app.debug is True


def test_no_reload_overrides_debug(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "app")
    result = invoke("--debug", "--no-reload", "run")
    assert result.exit_code == 0, result.output
    assert (served[0][1]["reload"], served[0][1]["log_level"]) == (False, "debug")


def test_reload_without_debug(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "app")
    result = invoke("--reload", "run")
    assert result.exit_code == 0, result.output
    assert (served[0][1]["reload"], served[0][1]["log_level"]) == (True, "info")


def test_without_debug_debug_is_not_set(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "app")
    invoke("run")
    assert "DEBUG" not in os.environ


# run --workers


def test_run_workers_are_passed(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "app")
    result = invoke("run", "--workers", "3")
    assert result.exit_code == 0, result.output
    assert served[0][1]["workers"] == 3


def test_run_workers_below_one_is_a_usage_error() -> None:
    result = invoke("run", "--workers", "0")
    assert result.exit_code == 2


def test_run_workers_with_reload_is_refused(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "app")
    result = invoke("--debug", "run", "--workers", "2")
    assert result.exit_code == 2
    assert "--workers 2 cannot be combined with reload; pass --no-reload" in result.output
    assert served == []


# Wrong --app


def test_wrong_app_missing_module_is_one_line(served: list[Any]) -> None:
    result = invoke("--app", "nosuchmodule", "run")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: Could not import module 'nosuchmodule' for app 'nosuchmodule'; check --app "
        "(or DYNE_APP) and run dyne from the directory that contains the module."
    ]
    assert served == []


def test_wrong_app_missing_package_module_is_one_line(isolated: Path) -> None:
    write_module(isolated, "pkg.real")
    result = invoke("--app", "pkg.missing", "run")
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "Could not import module 'pkg.missing'" in result.output


def test_wrong_app_missing_attribute_is_one_line(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "myapp")
    result = invoke("--app", "myapp:application", "run")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: Module 'myapp' has no attribute 'application'; pass --app "
        "myapp:<name of your App instance>."
    ]
    assert served == []


def test_wrong_app_not_a_dyne_app_is_one_line(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "myapp", "def app(scope, receive, send):\n    pass\n")
    result = invoke("--app", "myapp", "run")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: 'myapp:app' is a function, not a dyne.App; point --app at your App instance "
        "(module:variable)."
    ]
    assert served == []


@pytest.mark.parametrize("target", ["myapp:", ":app", "my-app:app", "myapp:app:extra"])
def test_wrong_app_malformed_target_is_one_line(target: str, served: list[Any]) -> None:
    result = invoke("--app", target, "run")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: Invalid app '{target}'; use module:variable, for example myproject.main:app."
    ]
    assert served == []


def test_wrong_app_error_inside_module_keeps_its_traceback(isolated: Path) -> None:
    write_module(isolated, "broken", "import dyne\nimport not_installed_dependency\n")
    result = invoke("--app", "broken", "run")
    assert isinstance(result.exception, ModuleNotFoundError)
    assert result.exception.name == "not_installed_dependency"


# routes


def test_routes_lists_every_route(isolated: Path) -> None:
    write_module(isolated, "app")
    result = invoke("routes")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["Path", "Methods", "Name", "Endpoint"]
    assert lines[2].split() == ["/", "GET,", "HEAD", "home", "app.home"]
    assert lines[3].split() == ["/items/{id:int}", "GET,", "HEAD,", "POST", "item", "app.item"]
    assert lines[4].split() == ["/ws", "WEBSOCKET", "ws", "app.ws"]
    assert len(lines) == 5


def test_routes_columns_are_aligned(isolated: Path) -> None:
    write_module(isolated, "app")
    lines = invoke("routes").output.splitlines()
    starts = {line.index("app.") for line in lines[2:]}
    assert starts == {lines[0].index("Endpoint")}


def test_routes_shows_mounts(isolated: Path) -> None:
    source = APP_SOURCE + "\nsub = dyne.App()\napp.mount('/sub', sub)\n"
    write_module(isolated, "app", source)
    lines = invoke("routes").output.splitlines()
    assert lines[-1].split() == ["/sub", "MOUNT", "/sub", "dyne.app.App"]


def test_routes_without_routes_says_so(isolated: Path) -> None:
    write_module(isolated, "app", "import dyne\napp = dyne.App()\n")
    result = invoke("routes")
    assert result.exit_code == 0
    assert result.output == "No routes registered.\n"


def test_routes_wrong_app_is_one_line() -> None:
    result = invoke("--app", "nosuchmodule", "routes")
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1


# Plugins


def test_plugin_command_added_with_decorator() -> None:
    @cli.command()
    def custom_task() -> None:
        """A task added by a plugin."""
        click.echo("Doing something cool!")

    result = invoke("custom-task")
    assert result.exit_code == 0
    assert result.output == "Doing something cool!\n"


def test_plugin_command_receives_cli_context(isolated: Path) -> None:
    write_module(isolated, "app")

    @cli.command()
    @click.pass_obj
    def count_routes(obj: CliContext) -> None:
        """Print the number of routes."""
        click.echo(len(obj.load_app().routes))

    result = invoke("count-routes")
    assert result.output == "3\n"


def write_plugin_distribution(directory: Path, entry_points: str) -> None:
    """Make an installed-looking distribution with the given entry_points.txt body."""
    dist_info = directory / "dyne_test_plugin-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: dyne-test-plugin\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(textwrap.dedent(entry_points), encoding="utf-8")


PLUGIN_SOURCE = """
import click
from dyne.cli import cli


@cli.command()
def seed_data():
    \"\"\"Seed the database.\"\"\"
    click.echo("seeded")
"""


def test_plugin_entry_point_module_is_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    write_module(site, "dyne_test_plugin_a.cli", PLUGIN_SOURCE)
    write_plugin_distribution(site, "[dyne.cli]\nmyplugin = dyne_test_plugin_a.cli\n")
    monkeypatch.syspath_prepend(str(site))
    result = invoke("seed-data")
    assert result.exit_code == 0, result.output
    assert result.output == "seeded\n"


def test_plugin_entry_point_command_object_is_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    source = 'import click\n\n@click.command()\ndef hello():\n    click.echo("hi")\n'
    write_module(site, "dyne_test_plugin_b", source)
    write_plugin_distribution(site, "[dyne.cli]\ngreet = dyne_test_plugin_b:hello\n")
    monkeypatch.syspath_prepend(str(site))
    result = invoke("greet")
    assert result.output == "hi\n"


def test_plugin_entry_point_listed_in_help(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    site.mkdir()
    write_module(site, "dyne_test_plugin_c.cli", PLUGIN_SOURCE)
    write_plugin_distribution(site, "[dyne.cli]\nmyplugin = dyne_test_plugin_c.cli\n")
    monkeypatch.syspath_prepend(str(site))
    assert "seed-data" in invoke("--help").output


def test_plugin_that_fails_to_import_warns_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    write_module(site, "dyne_test_plugin_d", "import not_installed_dependency\n")
    write_plugin_distribution(site, "[dyne.cli]\nbroken = dyne_test_plugin_d\n")
    monkeypatch.syspath_prepend(str(site))
    result = invoke("--help")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "Warning: could not load dyne CLI plugin 'broken' (dyne_test_plugin_d): "
        "ModuleNotFoundError: No module named 'not_installed_dependency'; "
        "reinstall or remove the package that provides it."
    ]


def test_plugin_failure_leaves_builtin_commands_working(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, served: list[Any]
) -> None:
    site = isolated / "site"
    site.mkdir()
    write_module(site, "dyne_test_plugin_e", "raise RuntimeError('boom')\n")
    write_plugin_distribution(site, "[dyne.cli]\nbroken = dyne_test_plugin_e\n")
    monkeypatch.syspath_prepend(str(site))
    write_module(isolated, "app")
    result = invoke("run")
    assert result.exit_code == 0
    assert served[0][0] == ("app:app",)


def test_plugins_are_loaded_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    site.mkdir()
    write_module(site, "dyne_test_plugin_f", "raise RuntimeError('boom')\n")
    write_plugin_distribution(site, "[dyne.cli]\nbroken = dyne_test_plugin_f\n")
    monkeypatch.syspath_prepend(str(site))
    result = invoke("--help")
    assert result.stderr.count("Warning:") == 1


# Entry points


def test_main_runs_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        main(["--version"])
    assert excinfo.value.code == 0
    assert capsys.readouterr().out.strip() == f"dyne {dyne.__version__}"


def test_python_dash_m_dyne_runs_the_cli() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "dyne", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == f"dyne {dyne.__version__}"


def test_module_all_is_sorted() -> None:
    assert dyne.cli.__all__ == sorted(dyne.cli.__all__)


# A real server


def free_port() -> int:
    """Ask the OS for a port nobody is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dyne_command() -> list[str]:
    """The installed ``dyne`` script next to this interpreter, else ``python -m dyne``."""
    script = Path(sys.executable).with_name("dyne")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dyne"]


def test_run_serves_the_example_over_http(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DYNE_APP", "DATABASE_URL")}
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*dyne_command(), "--app", "config_app", "--port", str(port), "run"],
            cwd=EXAMPLES,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        body = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=2) as resp:
                    body = resp.read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        log_text = log_path.read_text(errors="replace")
        assert body is not None, f"server did not answer; its output:\n{log_text}"
        assert '"status":"debug-mode"' in body.replace(" ", "")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# Serving options on `run`, PORT, and --app given a file name


def test_run_accepts_serving_options_after_the_command(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "app")
    result = invoke("run", "--host", "0.0.0.0", "--port", "9000", "--reload")
    assert result.exit_code == 0, result.output
    options = served[0][1]
    assert (options["host"], options["port"], options["reload"]) == ("0.0.0.0", 9000, True)


def test_run_options_win_over_global_options(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "app")
    result = invoke("--port", "8001", "--debug", "run", "--port", "9000", "--no-reload")
    assert result.exit_code == 0, result.output
    assert (served[0][1]["port"], served[0][1]["reload"]) == (9000, False)


def test_run_port_out_of_range_is_a_usage_error() -> None:
    result = invoke("run", "--port", "70000")
    assert result.exit_code == 2
    assert "70000" in result.output


def test_run_uses_port_from_environment(
    isolated: Path, served: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_module(isolated, "app")
    monkeypatch.setenv("PORT", "5055")
    result = invoke("run")
    assert result.exit_code == 0, result.output
    assert served[0][1]["port"] == 5055


def test_run_uses_port_from_app_config(
    isolated: Path, served: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PORT", raising=False)
    write_module(
        isolated,
        "app",
        "import dyne\napp = dyne.App()\napp.config.set('PORT', 5066)\n",
    )
    result = invoke("run")
    assert result.exit_code == 0, result.output
    assert served[0][1]["port"] == 5066


def test_run_port_option_beats_port_setting(
    isolated: Path, served: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_module(isolated, "app")
    monkeypatch.setenv("PORT", "5055")
    result = invoke("--port", "9000", "run")
    assert result.exit_code == 0, result.output
    assert served[0][1]["port"] == 9000


def test_run_invalid_port_setting_is_a_usage_error(
    isolated: Path, served: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_module(isolated, "app")
    monkeypatch.setenv("PORT", "http")
    result = invoke("run")
    assert result.exit_code == 2
    assert "PORT must be a port number" in result.output
    assert served == []


def test_wrong_app_file_name_suggests_the_module(isolated: Path, served: list[Any]) -> None:
    write_module(isolated, "helloworld")
    result = invoke("--app", "helloworld.py", "run")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: --app takes a module, not a file: 'helloworld.py' is a file name; "
        "run dyne --app helloworld."
    )
    assert served == []


def test_wrong_app_file_path_suggests_the_module_and_folder(served: list[Any]) -> None:
    result = invoke("--app", "examples/helloworld.py:app", "run")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: --app takes a module, not a file: 'examples/helloworld.py:app' is a file "
        "name; run dyne --app helloworld from the folder examples."
    )
