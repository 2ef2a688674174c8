"""Run the smoke checks of one install-matrix row: ``python run.py ROW``.

Each row is a fresh virtualenv holding only ``dyne[ROW]`` from the built wheel (``bare``:
no extra), never the test tools. The row's features must work through the public API, and
every feature whose extra is missing must raise MissingDependency naming that extra.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

CORE = [["core.py"]]
PYDANTIC = [["io_pydantic.py"]]
MARSHMALLOW = [["io_marshmallow.py"]]
STRAWBERRY = [["graphql_engines.py", "strawberry"]]
GRAPHENE = [["graphql_engines.py", "graphene"]]
DB = [["db.py", "sqlite"], ["db.py", "postgresql"]]
ALL_MISSING = {
    "pydantic",
    "marshmallow",
    "strawberry",
    "graphene",
    "sqlalchemy",
    "redis",
    "tasks",
    "otel",
    "granian",
}
# The docs_ui packages (in every openapi extra) depend on pydantic themselves.
DOCS_UI_BRINGS = {"pydantic"}

#: row -> (smoke programs, features that must be missing)
ROWS: dict[str, tuple[list[list[str]], set[str]]] = {
    "bare": ([*CORE, ["openapi_docs.py", "none", "--cdn"]], ALL_MISSING),
    "pydantic": (CORE + PYDANTIC, ALL_MISSING - {"pydantic"}),
    "marshmallow": (CORE + MARSHMALLOW, (ALL_MISSING - {"marshmallow"}) | {"apispec"}),
    "openapi": ([*CORE, ["openapi_docs.py", "none"]], ALL_MISSING - DOCS_UI_BRINGS),
    "openapi_pydantic": (
        CORE + PYDANTIC + [["openapi_docs.py", "pydantic"]],
        ALL_MISSING - {"pydantic"},
    ),
    "openapi_marshmallow": (
        CORE + MARSHMALLOW + [["openapi_docs.py", "marshmallow"]],
        ALL_MISSING - {"marshmallow"} - DOCS_UI_BRINGS,
    ),
    "strawberry": (CORE + STRAWBERRY, ALL_MISSING - {"strawberry"}),
    "graphql_strawberry": (CORE + STRAWBERRY, ALL_MISSING - {"strawberry"}),
    "graphene": (CORE + GRAPHENE, ALL_MISSING - {"graphene"}),
    "graphql_graphene": (CORE + GRAPHENE, ALL_MISSING - {"graphene"}),
    "sqlalchemy": (CORE + DB, ALL_MISSING - {"sqlalchemy"}),
    "redis": (
        [*CORE, ["import_extension.py", "dyne.ext.redis"]],
        ALL_MISSING - {"redis"},
    ),
    # The tasks extra installs redis too, so dyne.ext.redis imports there.
    "tasks": (
        [*CORE, ["import_extension.py", "dyne.ext.tasks"]],
        ALL_MISSING - {"tasks", "redis"},
    ),
    "otel": ([*CORE, ["otel.py"]], ALL_MISSING - {"otel"}),
    # `dyne run --server granian`: the server itself is tested by tests/test_server_granian.py.
    "granian": ([*CORE, ["import_extension.py", "granian"]], ALL_MISSING - {"granian"}),
    "full": (
        CORE
        + PYDANTIC
        + MARSHMALLOW
        + [["openapi_docs.py", "pydantic"], ["openapi_docs.py", "marshmallow"]]
        + STRAWBERRY
        + GRAPHENE
        + DB
        + [["otel.py"]],
        set(),
    ),
}


def main(row: str) -> int:
    """Run the row's programs; return the number that failed."""
    if row not in ROWS:
        # An extra without its own smoke program yet: the core works, its extension imports.
        print(f"note [{row}] no smoke program of its own; add one to .ci/smoke/run.py")
        programs, missing = [*CORE, ["import_extension.py", f"dyne.ext.{row}"]], set()
    else:
        programs, missing = ROWS[row]
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        for program in programs:
            args = list(program)
            if args[0] == "db.py":
                if args[1] == "sqlite":
                    args[1] = f"sqlite:///{scratch}/smoke.db"
                else:
                    args[1] = os.environ["DYNE_TEST_POSTGRES_URL"]
            failures += _run(row, args, scratch)
        if missing:
            failures += _run(row, ["missing.py", *sorted(missing)], scratch)
    return failures


def _run(row: str, args: list[str], cwd: str) -> int:
    result = subprocess.run(
        [sys.executable, str(HERE / args[0]), *args[1:]],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(HERE)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    label = " ".join(args)
    if result.returncode:
        print(f"FAIL [{row}] {label}\n{result.stdout}{result.stderr}", flush=True)
        return 1
    print(f"ok   [{row}] {label}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(1 if main(sys.argv[1]) else 0)
