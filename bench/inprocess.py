"""In-process ASGI benchmark: Dyne against Starlette, FastAPI and a raw ASGI app.

Each app's ASGI callable is awaited directly with a prebuilt scope (a fresh copy per
request), a ``receive`` that hands over the body once and a ``send`` that discards, so
the numbers measure the framework alone: no sockets, no HTTP parsing, no server.

Frameworks and scenarios are interleaved: every round runs every scenario for every
framework (the framework order rotates between rounds), and the table reports the median
of the rounds. Run from the repository root::

    python bench/inprocess.py                     # all scenarios, 7 rounds of 0.3 s per cell
    python bench/inprocess.py --scenario json,param --rounds 3 --seconds 0.2
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from apps import FRAMEWORKS, load  # noqa: E402 - needs BENCH_DIR on sys.path
from apps._common import LARGE_ROUTES, SMALL_ROUTES  # noqa: E402
from apps._harness import (  # noqa: E402
    SCENARIOS,
    SCENARIOS_BY_KEY,
    ASGIApp,
    Lifespan,
    Message,
    Scenario,
    body_receiver,
    call,
    check,
    scenario_scope,
)

DISTRIBUTIONS = {
    "dyne": "dyne",
    "dyne_blueprints": None,
    "dyne_observed": None,
    "starlette": "starlette",
    "fastapi": "fastapi",
    "raw": None,
}


@dataclass
class Runner:
    """One framework's loaded module, its live apps (by route count) and their lifespans."""

    key: str
    module: ModuleType
    apps: dict[int, ASGIApp] = field(default_factory=dict)
    lifespans: dict[int, Lifespan] = field(default_factory=dict)
    build_seconds: dict[int, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """Display name of the framework."""
        return str(self.module.NAME)

    async def start(self, sizes: set[int]) -> None:
        """Build one app per route count in ``sizes`` and run its lifespan startup."""
        for size in sorted(sizes):
            started = time.perf_counter()
            app = self.module.create_app(size)
            self.build_seconds[size] = time.perf_counter() - started
            lifespan = Lifespan(app)
            await lifespan.start()
            self.apps[size] = app
            self.lifespans[size] = lifespan

    async def stop(self) -> None:
        """Run the lifespan shutdown of every app."""
        for lifespan in self.lifespans.values():
            await lifespan.stop()

    def skip_reason(self, scenario: Scenario) -> str | None:
        """Return why this framework does not run ``scenario``, or ``None``."""
        if scenario.needs_post:
            return self.module.POST_SKIP_REASON
        return None


async def _discard(message: Message) -> None:
    """ASGI ``send`` that drops every message."""


async def run_requests(runner: Runner, scenario: Scenario, count: int) -> None:
    """Send ``count`` requests of ``scenario`` to the runner's app, discarding the answers."""
    app = runner.apps[scenario.routes]
    state = runner.lifespans[scenario.routes].state
    base = scenario_scope(scenario)
    body = scenario.body
    for _ in range(count):
        scope = base.copy()
        scope["state"] = state.copy()
        await app(scope, body_receiver(body), _discard)


CLOCKS: dict[str, Callable[[], float]] = {"cpu": time.process_time, "wall": time.perf_counter}
"""``cpu`` counts only the time this process ran, so other busy processes on the machine
barely move the figures; ``wall`` is elapsed time, what a lone process on an idle machine sees.
The benchmark is one thread awaiting coroutines that never block, so the two agree when the
machine is otherwise idle."""


WALL_LIMIT = 4.0
"""A cell never takes more than this many times ``--seconds`` of elapsed time."""


async def measure(
    runner: Runner, scenario: Scenario, seconds: float, batch: int, clock: Callable[[], float]
) -> float:
    """Run batches of ``batch`` requests for about ``seconds`` of ``clock``; return req/s.

    On a starved machine CPU time advances slowly, so a cell also ends after
    ``WALL_LIMIT`` times ``seconds`` of elapsed time: the run stays bounded and the rate
    stays right (it is still requests over ``clock`` time).
    """
    gc.collect()
    done = 0
    deadline = time.perf_counter() + seconds * WALL_LIMIT
    started = clock()
    elapsed = 0.0
    while elapsed < seconds:
        await run_requests(runner, scenario, batch)
        done += batch
        elapsed = clock() - started
        if time.perf_counter() > deadline:
            break
    return done / max(elapsed, 1e-9)


async def calibrate(runner: Runner, scenario: Scenario, seconds: float) -> int:
    """Warm the path up and return a batch size of about ``seconds / 20`` of work."""
    count = 1
    while True:
        started = time.perf_counter()
        await run_requests(runner, scenario, count)
        elapsed = time.perf_counter() - started
        if elapsed >= 0.02 or count >= 1 << 16:
            per_request = elapsed / count
            return max(1, int(seconds / 20 / per_request))
        count *= 2


def version_of(distribution: str | None) -> str:
    """Return the installed version of ``distribution`` ("-" when not applicable)."""
    if distribution is None:
        return "-"
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def fresh_process_rss(framework: str | None) -> float:
    """Return the peak RSS in MiB of a fresh interpreter that builds the large app.

    With ``framework=None`` the interpreter only starts, which gives the baseline.
    Linux only (it reads ``/proc``); elsewhere the caller leaves the column out.
    """
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across fork+exec, so a child started
    # from this (already large) process would report the parent's peak.
    code = ["import sys", f"sys.path.insert(0, {str(BENCH_DIR)!r})"]
    if framework is not None:
        code += [
            "from apps import load",
            f"load({framework!r}).create_app({LARGE_ROUTES})",
        ]
    code += [
        "status = open('/proc/self/status').read().split('VmHWM:')[1]",
        "print(status.split()[0])",
    ]
    result = subprocess.run(
        [sys.executable, "-c", "\n".join(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(result.stdout.split()[-1]) / 1024


async def traced_memory(runner: Runner, scenario: Scenario, requests: int) -> tuple[float, float]:
    """Return (KiB held by a freshly built large app, KiB peak while serving ``requests``).

    The second figure is the tracemalloc peak above the level before the requests, on the
    ordinary app, after a warm-up request so that one-off lazy setup is not counted.
    """
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        large = runner.module.create_app(LARGE_ROUTES)
        held = tracemalloc.get_traced_memory()[0] - before
        del large
        await run_requests(runner, scenario, 1)
        gc.collect()
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        await run_requests(runner, scenario, requests)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return held / 1024, peak / 1024


def fmt_rps(value: float | None) -> str:
    """Format requests per second for a table cell."""
    return "-" if value is None else f"{value:,.0f}"


def fmt_ratio(
    values: list[float] | None, numerator: float | None, denominator: float | None
) -> str:
    """Format the ratio of two medians, with the range of the per-round ratios."""
    if numerator is None or denominator is None or not values:
        return "-"
    return f"{numerator / denominator:.2f}x ({min(values):.2f}-{max(values):.2f})"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (default 7)")
    parser.add_argument(
        "--seconds", type=float, default=0.3, help="seconds per cell per round (default 0.3)"
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
        "--memory-scenario",
        default="json",
        help="scenario whose serving peak memory is traced (default json)",
    )
    parser.add_argument(
        "--memory-requests", type=int, default=2000, help="requests traced (default 2000)"
    )
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="cpu",
        help="cpu: process CPU time, steady on a busy machine (default); wall: elapsed time",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the memory section")
    parser.add_argument("--json", type=Path, help="also write every raw figure to this file")
    args = parser.parse_args(argv)
    args.scenarios = _pick(parser, args.scenario, SCENARIOS_BY_KEY, "scenario")
    args.frameworks = _pick(parser, args.framework, dict.fromkeys(FRAMEWORKS), "framework")
    if args.rounds < 1 or args.seconds <= 0:
        parser.error("--rounds must be at least 1 and --seconds above 0")
    if args.memory_scenario not in SCENARIOS_BY_KEY:
        parser.error(
            f"Unknown --memory-scenario {args.memory_scenario!r}; "
            f"use one of: {', '.join(SCENARIOS_BY_KEY)}"
        )
    return args


def _pick(
    parser: argparse.ArgumentParser, given: list[str] | None, known: dict[str, Any], what: str
) -> list[str]:
    """Return the keys named in ``given`` (all of ``known`` when empty), in ``known``'s order."""
    if not given:
        return list(known)
    wanted = {key.strip() for item in given for key in item.split(",") if key.strip()}
    unknown = sorted(wanted - set(known))
    if unknown:
        parser.error(f"Unknown {what} {', '.join(unknown)}; use one of: {', '.join(known)}")
    return [key for key in known if key in wanted]


def log(message: str) -> None:
    """Print progress to stderr, keeping stdout for the report."""
    print(message, file=sys.stderr, flush=True)


async def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report; return the process exit status."""
    args = parse_args(argv)
    scenarios = [SCENARIOS_BY_KEY[key] for key in args.scenarios]
    notes: list[str] = []
    failed = False

    runners: list[Runner] = []
    for key in args.frameworks:
        try:
            runners.append(Runner(key, load(key)))
        except ImportError as exc:
            notes.append(f"{key}: skipped, its app does not import ({exc}).")
    if not runners:
        print("Nothing to run: no framework app imports.", file=sys.stderr)
        return 1
    sizes = {s.routes for s in scenarios} | {SMALL_ROUTES}
    for runner in runners:
        await runner.start(sizes)

    # Check every answer once before timing anything: a wrong answer makes a number void.
    cells: dict[tuple[str, str], int] = {}
    for scenario in scenarios:
        for runner in runners:
            reason = runner.skip_reason(scenario)
            if reason is not None:
                notes.append(f"{runner.name}, {scenario.key}: skipped, {reason}.")
                continue
            answer = await call(
                runner.apps[scenario.routes],
                scenario_scope(scenario),
                scenario.body,
                runner.lifespans[scenario.routes].state,
            )
            problem = check(scenario, answer)
            if problem is not None:
                notes.append(f"{runner.name}, {scenario.key}: WRONG ANSWER, {problem}; not timed.")
                failed = True
                continue
            cells[(runner.key, scenario.key)] = await calibrate(runner, scenario, args.seconds)

    results: dict[tuple[str, str], list[float]] = {cell: [] for cell in cells}
    clock = CLOCKS[args.clock]
    estimate = args.rounds * len(cells) * args.seconds
    log(f"{len(cells)} cells x {args.rounds} rounds x {args.seconds} s: about {estimate:.0f} s")
    for round_index in range(args.rounds):
        shift = round_index % len(runners)
        order = runners[shift:] + runners[:shift]
        for scenario in scenarios:
            for runner in order:
                cell = (runner.key, scenario.key)
                if cell in cells:
                    rps = await measure(runner, scenario, args.seconds, cells[cell], clock)
                    results[cell].append(rps)
        log(f"round {round_index + 1}/{args.rounds} done")

    memory: dict[str, tuple[float, float, float]] = {}
    if not args.no_memory:
        log("measuring memory")
        memory_scenario = SCENARIOS_BY_KEY[args.memory_scenario]
        on_linux = Path("/proc/self/status").exists()
        baseline = fresh_process_rss(None) if on_linux else 0.0
        for runner in runners:
            if runner.skip_reason(memory_scenario) is not None:
                continue
            if memory_scenario.routes not in runner.apps:
                await runner.start({memory_scenario.routes})
            held, peak = await traced_memory(runner, memory_scenario, args.memory_requests)
            rss = fresh_process_rss(runner.key) - baseline if on_linux else float("nan")
            memory[runner.key] = (rss, held, peak)

    for runner in runners:
        await runner.stop()

    report(args, runners, scenarios, results, memory, notes)
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "rounds": args.rounds,
                    "seconds": args.seconds,
                    "clock": args.clock,
                    "results": {f"{fw}/{sc}": v for (fw, sc), v in results.items()},
                    "memory": memory,
                    "notes": notes,
                },
                indent=2,
            )
        )
    return 1 if failed else 0


def per_round_ratios(
    results: dict[tuple[str, str], list[float]], top: tuple[str, str], bottom: tuple[str, str]
) -> list[float]:
    """Return the ratio of two cells in each round (a round pairs them in time)."""
    a, b = results.get(top), results.get(bottom)
    if not a or not b:
        return []
    return [x / y for x, y in zip(a, b, strict=True)]


def environment_line(names: dict[str, str]) -> str:
    """Describe the interpreter, machine and framework versions in one sentence."""
    versions = ", ".join(
        f"{name} {version_of(DISTRIBUTIONS[key])}"
        for key, name in names.items()
        if DISTRIBUTIONS.get(key)
    )
    return (
        f"Python {platform.python_version()} on {platform.machine()} "
        f"({os.cpu_count()} CPUs); {versions}."
    )


def print_rate_table(
    names: dict[str, str],
    scenarios: list[Scenario],
    results: dict[tuple[str, str], list[float]],
) -> None:
    """Print median requests/second per scenario and framework, then Dyne's ratios.

    ``names`` maps framework keys to display names, in column order.
    """
    median = {cell: statistics.median(values) for cell, values in results.items() if values}
    header = ["scenario", *names.values()]
    ratio_columns = [
        (f"Dyne/{names[key]}", key)
        for key in ("starlette", "fastapi", "raw")
        if key in names and "dyne" in names
    ]
    if "dyne" in names and "dyne_blueprints" in names:
        # Registering through blueprints must cost nothing per request: this stays near 1.00x.
        ratio_columns.insert(0, ("Blueprints/Dyne", "dyne"))
    if "dyne" in names and "dyne_observed" in names:
        # Request IDs and the JSON access log on: what they cost per request.
        ratio_columns.insert(0, ("Observed/Dyne", "dyne"))
    header += [title for title, _ in ratio_columns]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
    for scenario in scenarios:
        row = [f"{scenario.key}: {scenario.title}"]
        row += [fmt_rps(median.get((key, scenario.key))) for key in names]
        for title, other in ratio_columns:
            mine = {"Blueprints/Dyne": "dyne_blueprints", "Observed/Dyne": "dyne_observed"}.get(
                title, "dyne"
            )
            top, bottom = (mine, scenario.key), (other, scenario.key)
            rounds = per_round_ratios(results, top, bottom)
            row.append(fmt_ratio(rounds, median.get(top), median.get(bottom)))
        print("| " + " | ".join(row) + " |")


def print_routing_scale(
    names: dict[str, str],
    results: dict[tuple[str, str], list[float]],
    extra: tuple[str, dict[str, str]] | None = None,
) -> None:
    """Print each framework's large-app over small-app ratio on the int route.

    ``extra`` is an optional (column title, value by framework key) column.
    """
    median = {cell: statistics.median(values) for cell, values in results.items() if values}
    print(
        f"\n### Routing scale: {LARGE_ROUTES} routes against {SMALL_ROUTES}\n\n"
        f"Requests/second on the last int route of a {LARGE_ROUTES}-route app divided by the "
        f"same on a {SMALL_ROUTES}-route app: 1.00x means the extra routes cost nothing.\n"
    )
    titles = ["framework", f"{LARGE_ROUTES}/{SMALL_ROUTES} routes"]
    if extra is not None:
        titles.append(extra[0])
    print("| " + " | ".join(titles) + " |")
    print("|---|" + "---:|" * (len(titles) - 1))
    for key, name in names.items():
        big, small = (key, "routes1000"), (key, "routes10")
        ratio = fmt_ratio(per_round_ratios(results, big, small), median.get(big), median.get(small))
        row = [name, ratio]
        if extra is not None:
            row.append(extra[1].get(key, "-"))
        print("| " + " | ".join(row) + " |")


def print_notes(notes: list[str]) -> None:
    """Print the notes section, if there is anything to say."""
    if notes:
        print("\n### Notes\n")
        for note in notes:
            print(f"- {note}")


def report(
    args: argparse.Namespace,
    runners: list[Runner],
    scenarios: list[Scenario],
    results: dict[tuple[str, str], list[float]],
    memory: dict[str, tuple[float, float, float]],
    notes: list[str],
) -> None:
    """Print the markdown report."""
    names = {runner.key: runner.name for runner in runners}
    print("## In-process ASGI benchmark\n")
    print(
        f"{environment_line(names)} Median requests/second of {args.rounds} interleaved rounds "
        f"of {args.seconds} s ({args.clock} time) per cell; a ratio is Dyne's median over the "
        "other's, with the range of the per-round ratios in brackets.\n"
    )
    print_rate_table(names, scenarios, results)

    if {"routes10", "routes1000"} <= {s.key for s in scenarios}:
        builds = {
            runner.key: f"{runner.build_seconds[LARGE_ROUTES] * 1000:.0f} ms"
            for runner in runners
            if LARGE_ROUTES in runner.build_seconds
        }
        print_routing_scale(names, results, (f"build {LARGE_ROUTES} routes", builds))

    if memory:
        print(
            f"\n### Memory\n\nRSS: peak resident memory of a fresh interpreter that imports the "
            f"framework and builds the {LARGE_ROUTES}-route app, minus a bare interpreter's. "
            f"App: tracemalloc bytes held by one {LARGE_ROUTES}-route app. Serving: tracemalloc "
            f"peak above the starting level while serving {args.memory_requests:,} "
            f"`{args.memory_scenario}` requests.\n"
        )
        print("| framework | RSS (MiB) | app (KiB) | serving peak (KiB) |")
        print("|---|---:|---:|---:|")
        for runner in runners:
            if runner.key in memory:
                rss, held, peak = memory[runner.key]
                print(f"| {runner.name} | {rss:.1f} | {held:,.0f} | {peak:,.1f} |")

    print_notes(notes)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
