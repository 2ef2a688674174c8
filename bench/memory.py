"""Memory benchmark: resident memory of Dyne (alone and with every extension imported)
against Starlette and FastAPI, each in a fresh interpreter that builds the 1,000-route app.

Each row is a new ``python`` process, so nothing one framework imported is counted for
another. Linux only (it reads ``/proc/self/status``). Run from the repository root::

    python bench/memory.py                # every row, 3 runs each, about 30 seconds
    python bench/memory.py --runs 5 --breakdown

``--breakdown`` adds what each import costs on top of ``import dyne``, in the order a user
with every extra would import them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from apps._common import LARGE_ROUTES  # noqa: E402 - needs BENCH_DIR on sys.path
from inprocess import version_of  # noqa: E402

EXTENSIONS: tuple[str, ...] = (
    "dyne.ext.auth",
    "dyne.ext.db.alchemical",
    "dyne.ext.graphql.graphene",
    "dyne.ext.graphql.strawberry",
    "dyne.ext.io.marshmallow",
    "dyne.ext.io.pydantic",
    "dyne.ext.openapi",
    "dyne.ext.otel",
    "dyne.ext.redis",
    "dyne.ext.tasks",
)
"""Every extension a user with ``dyne[full]`` can import (each needs its extra)."""

#: row key -> (display name, modules imported first, bench app built after them or None)
ROWS: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "starlette": ("Starlette", (), "starlette"),
    "fastapi": ("FastAPI", (), "fastapi"),
    "dyne": ("Dyne", (), "dyne"),
    "dyne_full": ("Dyne, every extension imported", EXTENSIONS, "dyne"),
    "dyne_import": ("Dyne, `import dyne` alone", ("dyne",), None),
    "dyne_full_import": ("Dyne, every extension imported, no app", EXTENSIONS, None),
}

_PROBE = """
import json, sys
sys.path.insert(0, {bench!r})

def kib(field):
    status = open("/proc/self/status").read()
    return int(status.split(field + ":")[1].split()[0])

import importlib
steps = []
for module in {modules!r}:
    importlib.import_module(module)
    steps.append([module, kib("VmRSS")])
if {app!r} is not None:
    from apps import load
    app = load({app!r}).create_app({routes})
    steps.append(["app", kib("VmRSS")])
print(json.dumps({{"hwm": kib("VmHWM"), "rss": kib("VmRSS"), "steps": steps,
                   "modules": len(sys.modules)}}))
"""


def probe(modules: tuple[str, ...], app: str | None) -> dict[str, object]:
    """Run one fresh interpreter importing ``modules`` then building ``app``'s large app."""
    code = _PROBE.format(bench=str(BENCH_DIR), modules=modules, app=app, routes=LARGE_ROUTES)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode:
        raise RuntimeError(f"the probe for {modules or app} failed:\n{result.stderr}")
    answer: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per row (default 3)")
    parser.add_argument(
        "--breakdown", action="store_true", help="also show what each Dyne import adds"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Measure every row and print a markdown report."""
    args = parse_args(argv)
    if not Path("/proc/self/status").exists():
        print("This benchmark reads /proc/self/status: Linux only.", file=sys.stderr)
        return 2
    base = [probe((), None) for _ in range(args.runs)]
    base_hwm = statistics.median(int(b["hwm"]) for b in base)  # type: ignore[call-overload]
    base_rss = statistics.median(int(b["rss"]) for b in base)  # type: ignore[call-overload]
    rows: dict[str, tuple[float, float, int]] = {}
    notes: list[str] = []
    last: dict[str, dict[str, object]] = {}
    for key, (_name, modules, app) in ROWS.items():
        try:
            runs = [probe(modules, app) for _ in range(args.runs)]
        except RuntimeError as exc:
            notes.append(f"{key}: skipped, {str(exc).splitlines()[-1]}")
            continue
        last[key] = runs[-1]
        rows[key] = (
            (statistics.median(int(r["hwm"]) for r in runs) - base_hwm) / 1024,  # type: ignore[call-overload]
            (statistics.median(int(r["rss"]) for r in runs) - base_rss) / 1024,  # type: ignore[call-overload]
            int(runs[-1]["modules"]),  # type: ignore[call-overload]
        )

    print("## Memory: a fresh interpreter that imports the framework and builds its app\n")
    print(
        f"Python {sys.version.split()[0]}; Dyne {version_of('dyne')}, Starlette "
        f"{version_of('starlette')}, FastAPI {version_of('fastapi')}, pydantic "
        f"{version_of('pydantic')}. Peak and final resident memory (VmHWM, VmRSS) minus a "
        f"bare interpreter's, median of {args.runs} fresh processes; the app is the bench's "
        f"{LARGE_ROUTES:,}-route app (every bench app imports pydantic for its POST model). "
        "Modules: entries in sys.modules at the end.\n"
    )
    print("| row | peak RSS (MiB) | RSS (MiB) | modules | RSS / FastAPI's |")
    print("|---|---:|---:|---:|---:|")
    fastapi_rss = rows.get("fastapi", (0.0, 0.0, 0))[1]
    for key, (hwm, rss, modules) in rows.items():
        ratio = f"{rss / fastapi_rss:.2f}x" if fastapi_rss else "-"
        print(f"| {ROWS[key][0]} | {hwm:.1f} | {rss:.1f} | {modules} | {ratio} |")

    if args.breakdown and "dyne_full" in last:
        print(
            "\n### What each import adds (one process, in this order)\n\n"
            "VmRSS after each step minus the step before; a step that imports a library "
            "another step already loaded looks cheaper than it is alone.\n"
        )
        print("| step | adds (MiB) |")
        print("|---|---:|")
        steps = probe(("dyne", *EXTENSIONS), "dyne")["steps"]
        previous = base_rss
        for module, kib in steps:  # type: ignore[attr-defined]
            print(f"| {module} | {(kib - previous) / 1024:.1f} |")
            previous = kib

    if notes:
        print("\n### Notes\n")
        for note in notes:
            print(f"- {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
