"""Code quality gates run with the tests: lint, format, import contracts, types."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "dyne"


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def tool(name: str) -> str:
    path = shutil.which(name, path=str(Path(sys.executable).parent))
    if path is None:
        pytest.fail(f"{name} is not installed; install the test tools: pip install -e '.[test]'")
    return path


def test_ruff_check_is_clean():
    result = run(tool("ruff"), "check", "src", "tests", "examples", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = run(tool("ruff"), "format", "--check", "src", "tests", "examples", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_contracts_are_kept():
    result = run(tool("lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_contract_lists_every_core_module():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = config["tool"]["importlinter"]["contracts"][0]
    listed = set(contract["source_modules"])
    core = {f"dyne.{path.stem}" for path in SRC.glob("*.py") if path.stem != "__init__"}
    core -= {"dyne.__version__"}
    assert core - listed == set(), "add these core modules to the first import contract"


def test_mypy_is_clean():
    result = run(tool("mypy"), "src")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean_on_the_package():
    # The whole package (core and extensions) is held to --strict as well as the plain run
    # above; the untyped libraries it builds on are configured in pyproject.toml's [tool.mypy].
    result = run(tool("mypy"), "--strict", "src")
    assert result.returncode == 0, result.stdout + result.stderr


def test_test_module_names_are_unique():
    # tests/ folders are not packages: two test files with one name would clash on import.
    names: dict[str, list[str]] = {}
    for path in (ROOT / "tests").rglob("*.py"):
        if path.name != "conftest.py":
            names.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    clashes = {name: paths for name, paths in names.items() if len(paths) > 1}
    assert clashes == {}, f"rename so each test module name is unique: {clashes}"
