"""Over-HTTP benchmark: each bench app under uvicorn and Granian on 127.0.0.1, loaded by ``wrk``.

One server process per server, framework and app size is started on a free port of
127.0.0.1 (and nowhere else), checked for correct answers, warmed up, then measured by
short fixed ``wrk`` runs in interleaved rounds; every server is stopped by its PID (its
workers with it) at the end, also on errors and Ctrl-C. Run from the repository root::

    python bench/http_bench.py                    # 3 rounds of 2 s per cell
    python bench/http_bench.py --scenario json --rounds 5 --duration 3
    python bench/http_bench.py --server granian --framework dyne,starlette,raw

Granian is measured when it is installed (``pip install "dyne[granian]"``), else skipped
with a note.

Needs ``wrk`` on PATH (Debian/Ubuntu: ``apt-get install wrk``; macOS: ``brew install wrk``).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.util
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from apps import FRAMEWORKS, load  # noqa: E402 - needs BENCH_DIR on sys.path
from apps._common import LARGE_ROUTES  # noqa: E402
from apps._harness import SCENARIOS, SCENARIOS_BY_KEY, Captured, Scenario, check  # noqa: E402
from inprocess import (  # noqa: E402
    environment_line,
    fmt_ratio,
    fmt_rps,
    per_round_ratios,
    print_notes,
    print_rate_table,
    print_routing_scale,
    version_of,
)

HOST = "127.0.0.1"
"""The only address anything here listens on or connects to."""

INSTALL_HINT = """\
wrk is not installed (or not on PATH); this benchmark needs it to load the servers.
Install it, then run this again:
    Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y wrk
    Fedora:         sudo dnf install wrk
    macOS:          brew install wrk
The in-process benchmark needs nothing extra: python bench/inprocess.py"""


SERVERS: dict[str, str] = {"uvicorn": "uvicorn", "granian": "Granian"}
"""Server keys, in report order, and their display names."""


@dataclass
class Server:
    """A uvicorn or Granian subprocess serving one framework's app of one size."""

    server: str
    framework: str
    routes: int
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base_url(self) -> str:
        """Return ``http://127.0.0.1:<port>``."""
        return f"http://{HOST}:{self.port}"

    def stop(self) -> None:
        """Stop the server by its PID: SIGTERM, then SIGKILL (it and its workers) if it lingers."""
        if self.process.poll() is not None:
            return
        workers = descendants(self.process.pid)
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            for pid in [self.process.pid, *workers]:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def descendants(pid: int) -> list[int]:
    """Return the PIDs of ``pid``'s child processes, recursively (Linux; elsewhere none)."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found += [child, *descendants(child)]
    return found


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float | None:
    """Return the CPU time (user + system) process ``pid`` and its workers have used, or
    ``None`` off Linux. Granian serves from a worker process even with one worker."""
    total = 0.0
    for one in [pid, *descendants(pid)]:
        try:
            stat = Path(f"/proc/{one}/stat").read_text()
        except OSError:
            if one == pid:
                return None
            continue
        # Fields after the parenthesised command name; utime and stime are fields 14 and 15.
        fields = stat.rpartition(")")[2].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def pinned_to(cpu: int | None) -> Callable[[], None] | None:
    """A ``preexec_fn`` putting the child, and every process and thread it starts, on ``cpu``."""
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        return None

    def pin_self() -> None:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {cpu})

    return pin_self


def pin(pid: int, cpu: int | None) -> None:
    """Pin process ``pid`` to ``cpu`` when asked and possible (Linux), else do nothing."""
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(pid, {cpu})


def uvicorn_options() -> list[str]:
    """Return uvicorn's loop/http options: uvloop and httptools when installed."""
    options = []
    if importlib.util.find_spec("uvloop") is not None:
        options += ["--loop", "uvloop"]
    if importlib.util.find_spec("httptools") is not None:
        options += ["--http", "httptools"]
    return options


def granian_options() -> list[str]:
    """Return Granian's loop option: uvloop when installed (as for uvicorn)."""
    return ["--loop", "uvloop"] if importlib.util.find_spec("uvloop") is not None else []


def server_command(server: str, target: str, port: int) -> list[str]:
    """The command serving ``target`` (``module:factory``) with ``server`` on ``port``: one
    worker, access log off, warnings only."""
    if server == "granian":
        return [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--factory",
            "--working-dir",
            str(BENCH_DIR),
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--no-access-log",
            *granian_options(),
            target,
        ]
    return [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--factory",
        "--app-dir",
        str(BENCH_DIR),
        "--host",
        HOST,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        *uvicorn_options(),
    ]


def answers(port: int, timeout: float) -> bool:
    """Whether an HTTP request to ``port`` gets any answer within ``timeout`` seconds.

    Granian binds its socket before its worker has imported the app, so accepting a
    connection does not yet mean serving.
    """
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", "/")
        connection.getresponse().read()
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def start_server(
    server: str,
    framework: str,
    routes: int,
    workdir: Path,
    cpu: int | None,
    timeout: float = 30.0,
) -> Server:
    """Start ``server`` for ``framework``'s app of ``routes`` routes; return once it answers."""
    factory = "create_large_app" if routes == LARGE_ROUTES else "create_app"
    port = free_port()
    log = workdir / f"{server}-{framework}-{routes}.log"
    command = server_command(server, f"apps.{framework}_app:{factory}", port)
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, preexec_fn=pinned_to(cpu)
        )
    started = Server(server, framework, routes, port, process, log)
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        if process.poll() is not None:
            raise RuntimeError(
                f"{server} for {framework} ({routes} routes) exited with {process.returncode}; "
                f"its output:\n{log.read_text(errors='replace')}"
            )
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
            if answers(port, remaining):
                return started
        time.sleep(0.05)
    started.stop()
    raise RuntimeError(f"{server} for {framework} did not answer within {timeout} s")


def fetch(connection: http.client.HTTPConnection, scenario: Scenario) -> Captured:
    """Send one request of ``scenario`` over ``connection``; return the answer."""
    headers = {"Accept": "*/*"}
    if scenario.content_type is not None:
        headers["Content-Type"] = scenario.content_type
    connection.request(scenario.method, scenario.path, body=scenario.body or None, headers=headers)
    response = connection.getresponse()
    body = response.read()
    raw_headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in response.getheaders()
    ]
    return Captured(response.status, raw_headers, body)


def verify_and_warm(server: Server, scenario: Scenario, warmup: int) -> str | None:
    """Check ``server``'s answer to ``scenario``, then send ``warmup`` more; return a problem."""
    connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        problem = check(scenario, fetch(connection, scenario))
        if problem is None:
            for _ in range(warmup):
                fetch(connection, scenario)
        return problem
    finally:
        connection.close()


def wrk_script(scenario: Scenario, workdir: Path) -> Path | None:
    """Write the Lua script that makes wrk send ``scenario``'s method and body, if needed."""
    if scenario.method == "GET" and not scenario.body:
        return None
    lua = [f'wrk.method = "{scenario.method}"']
    if scenario.body:
        lua.append("wrk.body = " + "[==[" + scenario.body.decode("utf-8") + "]==]")
    if scenario.content_type:
        lua.append(f'wrk.headers["Content-Type"] = "{scenario.content_type}"')
    path = workdir / f"{scenario.key}.lua"
    path.write_text("\n".join(lua) + "\n")
    return path


@dataclass
class WrkResult:
    """What one wrk run reported."""

    rps: float
    requests: int
    non_2xx: int
    socket_errors: str | None


def run_wrk(
    url: str,
    duration: int,
    connections: int,
    threads: int,
    script: Path | None,
    cpu: int | None,
) -> WrkResult:
    """Run wrk against ``url`` for ``duration`` seconds and parse its summary."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    pin(process.pid, cpu)
    try:
        output, _ = process.communicate(timeout=duration + 30)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        raise RuntimeError(f"wrk did not finish within {duration + 30} s on {url}") from None
    text = output.decode("utf-8", "replace")
    rate = re.search(r"Requests/sec:\s*([\d.]+)", text)
    if process.returncode != 0 or rate is None:
        raise RuntimeError(f"wrk failed on {url} (exit {process.returncode}):\n{text}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    errors = re.search(r"Socket errors:\s*(.+)", text)
    total = re.search(r"(\d+) requests in", text)
    return WrkResult(
        float(rate.group(1)),
        int(total.group(1)) if total else 0,
        int(non_2xx.group(1)) if non_2xx else 0,
        errors.group(1).strip() if errors else None,
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument(
        "--duration", type=int, default=2, help="whole seconds per wrk run (default 2)"
    )
    parser.add_argument("--connections", type=int, default=64, help="wrk -c (default 64)")
    parser.add_argument("--threads", type=int, default=1, help="wrk -t (default 1)")
    parser.add_argument(
        "--warmup", type=int, default=300, help="requests per cell before timing (default 300)"
    )
    parser.add_argument(
        "--no-pin",
        action="store_true",
        help="do not pin servers to CPU 0 and wrk to CPU 1 (pinning needs Linux and 2+ CPUs)",
    )
    parser.add_argument(
        "--scenario",
        action="append",
        help="scenario key(s), comma-separated or repeated; default: all of "
        + ", ".join(s.key for s in SCENARIOS),
    )
    parser.add_argument(
        "--framework",
        action="append",
        help="framework key(s), comma-separated or repeated; default: all of "
        + ", ".join(FRAMEWORKS),
    )
    parser.add_argument(
        "--server",
        action="append",
        help="server key(s), comma-separated or repeated; default: all of "
        + ", ".join(SERVERS)
        + " (Granian only when installed)",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration < 1 or args.connections < 1 or args.threads < 1:
        parser.error("--rounds, --duration, --connections and --threads must be at least 1")
    args.scenarios = _pick(parser, args.scenario, list(SCENARIOS_BY_KEY), "scenario")
    args.frameworks = _pick(parser, args.framework, list(FRAMEWORKS), "framework")
    args.servers_given = bool(args.server)
    args.servers = _pick(parser, args.server, list(SERVERS), "server")
    return args


def _pick(
    parser: argparse.ArgumentParser, given: list[str] | None, known: list[str], what: str
) -> list[str]:
    """Return the keys named in ``given`` (all of ``known`` when empty), in ``known``'s order."""
    if not given:
        return known
    wanted = {key.strip() for item in given for key in item.split(",") if key.strip()}
    unknown = sorted(wanted - set(known))
    if unknown:
        parser.error(f"Unknown {what} {', '.join(unknown)}; use one of: {', '.join(known)}")
    return [key for key in known if key in wanted]


def log(message: str) -> None:
    """Print progress to stderr, keeping stdout for the report."""
    print(message, file=sys.stderr, flush=True)


Cell = tuple[str, str]
"""A (server, framework) pair: one column of the report."""


@contextlib.contextmanager
def servers_for(
    cells: list[Cell], sizes: set[int], workdir: Path, cpu: int | None
) -> Iterator[dict[tuple[Cell, int], Server]]:
    """Start one server per cell and size; stop every one of them on the way out."""
    started: dict[tuple[Cell, int], Server] = {}
    try:
        for server, framework in cells:
            for size in sorted(sizes):
                started[((server, framework), size)] = start_server(
                    server, framework, size, workdir, cpu
                )
        yield started
    finally:
        for running in started.values():
            running.stop()


def print_server_comparison(
    servers: list[str],
    names: dict[str, str],
    scenarios: list[Scenario],
    results: dict[tuple[Cell, str], list[float]],
) -> None:
    """Print each framework on each server side by side, then Granian's rate over uvicorn's."""
    median = {cell: statistics.median(values) for cell, values in results.items() if values}
    columns = [(server, key) for key in names for server in servers]
    header = ["scenario", *(f"{names[key]} ({SERVERS[server]})" for server, key in columns)]
    pairs = [key for key in names if "granian" in servers and "uvicorn" in servers]
    header += [f"{names[key]} Granian/uvicorn" for key in pairs]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
    for scenario in scenarios:
        row = [scenario.key]
        row += [fmt_rps(median.get((cell, scenario.key))) for cell in columns]
        for key in pairs:
            top, bottom = (("granian", key), scenario.key), (("uvicorn", key), scenario.key)
            rounds = per_round_ratios(results, top, bottom)  # type: ignore[arg-type]
            row.append(fmt_ratio(rounds, median.get(top), median.get(bottom)))
        print("| " + " | ".join(row) + " |")


def for_server(
    results: dict[tuple[Cell, str], list[float]], server: str
) -> dict[tuple[str, str], list[float]]:
    """The cells of one server, keyed by (framework, scenario) as the shared tables expect."""
    return {
        (framework, scenario): values
        for ((on, framework), scenario), values in results.items()
        if on == server
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report; return the process exit status."""
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    scenarios = [SCENARIOS_BY_KEY[key] for key in args.scenarios]
    notes: list[str] = []
    failed = False

    servers = list(args.servers)
    if "granian" in servers and importlib.util.find_spec("granian") is None:
        if args.servers_given:
            print('Granian is not installed; pip install "dyne[granian]".', file=sys.stderr)
            return 2
        servers.remove("granian")
        notes.append('Granian: skipped, it is not installed (pip install "dyne[granian]").')

    names: dict[str, str] = {}
    post_skip: dict[str, str | None] = {}
    for key in args.frameworks:
        try:
            module = load(key)
        except ImportError as exc:
            notes.append(f"{key}: skipped, its app does not import ({exc}).")
            continue
        names[key] = str(module.NAME)
        post_skip[key] = module.POST_SKIP_REASON
    if not names:
        print("Nothing to run: no framework app imports.", file=sys.stderr)
        return 1

    pinning = not args.no_pin and (os.cpu_count() or 1) >= 2 and hasattr(os, "sched_setaffinity")
    server_cpu, wrk_cpu = (0, 1) if pinning else (None, None)
    sizes = {s.routes for s in scenarios}
    cells: list[Cell] = [(server, key) for server in servers for key in names]
    results: dict[tuple[Cell, str], list[float]] = {}
    per_cpu: dict[tuple[Cell, str], list[float]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="dyne-bench-") as tmp,
        servers_for(cells, sizes, Path(tmp), server_cpu) as running,
    ):
        workdir = Path(tmp)
        scripts = {s.key: wrk_script(s, workdir) for s in scenarios}
        for scenario in scenarios:
            for cell in cells:
                server, key = cell
                label = f"{names[key]} on {SERVERS[server]}"
                if scenario.needs_post and post_skip[key] is not None:
                    notes.append(f"{label}, {scenario.key}: skipped, {post_skip[key]}.")
                    continue
                problem = verify_and_warm(running[(cell, scenario.routes)], scenario, args.warmup)
                if problem is not None:
                    notes.append(f"{label}, {scenario.key}: WRONG ANSWER, {problem}; not timed.")
                    failed = True
                    continue
                results[(cell, scenario.key)] = []
        estimate = args.rounds * len(results) * args.duration
        log(f"{len(results)} cells x {args.rounds} rounds x {args.duration} s: about {estimate} s")
        for round_index in range(args.rounds):
            shift = round_index % len(cells)
            order = cells[shift:] + cells[:shift]
            for scenario in scenarios:
                for cell in order:
                    if (cell, scenario.key) not in results:
                        continue
                    label = f"{names[cell[1]]} on {SERVERS[cell[0]]}"
                    process = running[(cell, scenario.routes)].process
                    cpu_before = cpu_seconds(process.pid)
                    outcome = run_wrk(
                        running[(cell, scenario.routes)].base_url + scenario.path,
                        args.duration,
                        args.connections,
                        args.threads,
                        scripts[scenario.key],
                        wrk_cpu,
                    )
                    results[(cell, scenario.key)].append(outcome.rps)
                    cpu_after = cpu_seconds(process.pid)
                    if cpu_before is not None and cpu_after is not None and cpu_after > cpu_before:
                        used = cpu_after - cpu_before
                        per_cpu.setdefault((cell, scenario.key), []).append(outcome.requests / used)
                    if outcome.non_2xx and scenario.status < 300:
                        notes.append(
                            f"{label}, {scenario.key}, round {round_index + 1}: "
                            f"{outcome.non_2xx} non-2xx answers."
                        )
                    if outcome.socket_errors:
                        notes.append(
                            f"{label}, {scenario.key}, round {round_index + 1}: "
                            f"socket errors {outcome.socket_errors}."
                        )
            log(f"round {round_index + 1}/{args.rounds} done")

    server_names = " and ".join(SERVERS[server] for server in servers)
    print(f"## HTTP benchmark ({server_names} + wrk on 127.0.0.1)\n")
    versions = []
    if "uvicorn" in servers:
        versions.append(
            f"uvicorn {version_of('uvicorn')} "
            f"({' '.join(uvicorn_options()) or 'default loop and parser'})"
        )
    if "granian" in servers:
        versions.append(
            f"Granian {version_of('granian')} (ASGI, "
            f"{' '.join(granian_options()) or 'default loop'})"
        )
    print(
        f"{environment_line(names)} {', '.join(versions)}, one worker each; "
        f"wrk -t{args.threads} -c{args.connections}; "
        f"{'server pinned to CPU 0, wrk to CPU 1' if pinning else 'no CPU pinning'}. "
        f"Median requests/second of {args.rounds} interleaved rounds of {args.duration} s per "
        "cell; a ratio is the first median over the second's, with the range of the "
        "per-round ratios in brackets.\n"
    )
    cpu_complete = bool(per_cpu) and all(len(v) == args.rounds for v in per_cpu.values())
    if len(servers) > 1:
        print("### Side by side: every framework on every server\n")
        print_server_comparison(servers, names, scenarios, results)
        if cpu_complete:
            print("\nThe same in requests per second of server CPU time (see below):\n")
            print_server_comparison(servers, names, scenarios, per_cpu)
    for server in servers:
        print(f"\n### On {SERVERS[server]}: Dyne against the others\n")
        print_rate_table(names, scenarios, for_server(results, server))
        if {"routes10", "routes1000"} <= set(args.scenarios):
            print_routing_scale(names, for_server(results, server))
        if cpu_complete:
            print(
                f"\n#### On {SERVERS[server]}: requests per second of server CPU time\n\n"
                "The requests wrk completed divided by the CPU time the server process and its "
                "workers used meanwhile (from /proc, in 10 ms ticks): the server's cost per "
                "request, which other load on the machine hardly moves.\n"
            )
            print_rate_table(names, scenarios, for_server(per_cpu, server))
    print_notes(notes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
