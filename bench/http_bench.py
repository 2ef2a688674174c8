"""Over-HTTP benchmark: each bench app under uvicorn on 127.0.0.1, loaded by ``wrk``.

One uvicorn process per framework and app size is started on a free port of 127.0.0.1
(and nowhere else), checked for correct answers, warmed up, then measured by short fixed
``wrk`` runs in interleaved rounds; every server is stopped by its PID at the end, also on
errors and Ctrl-C. Run from the repository root::

    python bench/http_bench.py                    # 3 rounds of 2 s per cell, about 3 minutes
    python bench/http_bench.py --scenario json --rounds 5 --duration 3

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
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
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


@dataclass
class Server:
    """A uvicorn subprocess serving one framework's app of one size."""

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
        """Stop the server by its PID: SIGTERM, then SIGKILL if it lingers."""
        if self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float | None:
    """Return the CPU time (user + system) process ``pid`` has used, or ``None`` off Linux."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    fields = stat.rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


def start_server(
    framework: str, routes: int, workdir: Path, cpu: int | None, timeout: float = 30.0
) -> Server:
    """Start uvicorn for ``framework``'s app of ``routes`` routes; return once it accepts."""
    factory = "create_large_app" if routes == LARGE_ROUTES else "create_app"
    port = free_port()
    log = workdir / f"{framework}-{routes}.log"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        f"apps.{framework}_app:{factory}",
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
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    server = Server(framework, routes, port, process, log)
    pin(process.pid, cpu)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"uvicorn for {framework} ({routes} routes) exited with {process.returncode}; "
                f"its output:\n{log.read_text(errors='replace')}"
            )
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
            return server
        time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"uvicorn for {framework} did not accept connections within {timeout} s")


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
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration < 1 or args.connections < 1 or args.threads < 1:
        parser.error("--rounds, --duration, --connections and --threads must be at least 1")
    args.scenarios = _pick(parser, args.scenario, list(SCENARIOS_BY_KEY), "scenario")
    args.frameworks = _pick(parser, args.framework, list(FRAMEWORKS), "framework")
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


@contextlib.contextmanager
def servers_for(
    frameworks: list[str], sizes: set[int], workdir: Path, cpu: int | None
) -> Iterator[dict[tuple[str, int], Server]]:
    """Start one server per framework and size; stop every one of them on the way out."""
    started: dict[tuple[str, int], Server] = {}
    try:
        for framework in frameworks:
            for size in sorted(sizes):
                started[(framework, size)] = start_server(framework, size, workdir, cpu)
        yield started
    finally:
        for server in started.values():
            server.stop()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report; return the process exit status."""
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    scenarios = [SCENARIOS_BY_KEY[key] for key in args.scenarios]
    notes: list[str] = []
    failed = False

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
    results: dict[tuple[str, str], list[float]] = {}
    per_cpu: dict[tuple[str, str], list[float]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="dyne-bench-") as tmp,
        servers_for(list(names), sizes, Path(tmp), server_cpu) as servers,
    ):
        workdir = Path(tmp)
        scripts = {s.key: wrk_script(s, workdir) for s in scenarios}
        for scenario in scenarios:
            for key, name in names.items():
                if scenario.needs_post and post_skip[key] is not None:
                    notes.append(f"{name}, {scenario.key}: skipped, {post_skip[key]}.")
                    continue
                problem = verify_and_warm(servers[(key, scenario.routes)], scenario, args.warmup)
                if problem is not None:
                    notes.append(f"{name}, {scenario.key}: WRONG ANSWER, {problem}; not timed.")
                    failed = True
                    continue
                results[(key, scenario.key)] = []
        estimate = args.rounds * len(results) * args.duration
        log(f"{len(results)} cells x {args.rounds} rounds x {args.duration} s: about {estimate} s")
        keys = list(names)
        for round_index in range(args.rounds):
            shift = round_index % len(keys)
            order = keys[shift:] + keys[:shift]
            for scenario in scenarios:
                for key in order:
                    if (key, scenario.key) not in results:
                        continue
                    server = servers[(key, scenario.routes)]
                    cpu_before = cpu_seconds(server.process.pid)
                    outcome = run_wrk(
                        server.base_url + scenario.path,
                        args.duration,
                        args.connections,
                        args.threads,
                        scripts[scenario.key],
                        wrk_cpu,
                    )
                    results[(key, scenario.key)].append(outcome.rps)
                    cpu_after = cpu_seconds(server.process.pid)
                    if cpu_before is not None and cpu_after is not None and cpu_after > cpu_before:
                        used = cpu_after - cpu_before
                        per_cpu.setdefault((key, scenario.key), []).append(outcome.requests / used)
                    if outcome.non_2xx and scenario.status < 300:
                        notes.append(
                            f"{names[key]}, {scenario.key}, round {round_index + 1}: "
                            f"{outcome.non_2xx} non-2xx answers."
                        )
                    if outcome.socket_errors:
                        notes.append(
                            f"{names[key]}, {scenario.key}, round {round_index + 1}: "
                            f"socket errors {outcome.socket_errors}."
                        )
            log(f"round {round_index + 1}/{args.rounds} done")

    print("## HTTP benchmark (uvicorn + wrk on 127.0.0.1)\n")
    print(
        f"{environment_line(names)} uvicorn {version_of('uvicorn')} "
        f"({' '.join(uvicorn_options()) or 'default loop and parser'}), one worker; "
        f"wrk -t{args.threads} -c{args.connections}; "
        f"{'server pinned to CPU 0, wrk to CPU 1' if pinning else 'no CPU pinning'}. "
        f"Median requests/second of {args.rounds} interleaved rounds of {args.duration} s per "
        "cell; a ratio is Dyne's median over the other's, with the range of the per-round "
        "ratios in brackets.\n"
    )
    print_rate_table(names, scenarios, results)
    if {"routes10", "routes1000"} <= set(args.scenarios):
        print_routing_scale(names, results)
    if per_cpu and all(len(v) == args.rounds for v in per_cpu.values()):
        print(
            "\n### Requests per second of server CPU time\n\n"
            "The requests wrk completed divided by the CPU time the uvicorn process used "
            "meanwhile (from /proc, in 10 ms ticks): the server's cost per request, which "
            "other load on the machine hardly moves.\n"
        )
        print_rate_table(names, scenarios, per_cpu)
    print_notes(notes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
