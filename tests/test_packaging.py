"""What the package declares: license files, notices, one version, extras that name what they use.

The built artifacts themselves are checked by ``.ci/install-matrix`` (``.ci/check-dist.py``
and a fresh virtualenv per extra); these tests hold the sources of those facts in place.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import re
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

import dyne

ROOT = Path(__file__).resolve().parent.parent


def _load_assets() -> ModuleType:
    # By path, as the build hook does: the module is standard-library only, while its
    # package imports graphql-core (a core test imports no extra).
    path = ROOT / "src" / "dyne" / "ext" / "graphql" / "assets.py"
    spec = importlib.util.spec_from_file_location("_dyne_assets_for_packaging_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


assets = _load_assets()
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
EXTRAS = PROJECT["optional-dependencies"]
# The license text of each npm package whose files the wheel bundles (NOTICE says which).
LICENSE_OF_PACKAGE = {
    "react": "LICENSES/react.txt",
    "react-dom": "LICENSES/react-dom.txt",
    "graphiql": "LICENSES/graphiql.txt",
    "@graphiql/plugin-explorer": "LICENSES/graphiql.txt",
}


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~;]", r, maxsplit=1)[0].strip().lower() for r in requirements}


def test_packaging_license_is_apache_and_shipped():
    assert PROJECT["license"] == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert {"LICENSE", "NOTICE", "LICENSES/*.txt"} <= set(PROJECT["license-files"])


@pytest.mark.parametrize("asset", assets.MANIFEST, ids=lambda asset: asset.name)
def test_packaging_notice_covers_each_bundled_asset(asset):
    notice = (ROOT / "NOTICE").read_text(encoding="utf-8")
    license_file = LICENSE_OF_PACKAGE[asset.package]
    entry = next(line for line in notice.splitlines() if f"{asset.package}@" in line)
    assert entry.startswith(f"- {asset.package}@{asset.version}:")
    assert asset.name in entry
    assert license_file in notice
    assert "MIT License" in (ROOT / license_file).read_text(encoding="utf-8")


def test_packaging_version_has_one_source():
    assert importlib.metadata.version("dyne") == dyne.__version__
    assert "version" in PROJECT["dynamic"]
    assert f"## [{dyne.__version__}]" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_packaging_sqlalchemy_extra_brings_greenlet():
    assert any(r.startswith("sqlalchemy[asyncio]") for r in EXTRAS["sqlalchemy"])


@pytest.mark.parametrize("extra", ["strawberry", "graphene"])
def test_packaging_graphql_extras_declare_graphql_core(extra):
    assert "graphql-core" in _names(EXTRAS[extra])


def test_packaging_sdist_carries_what_the_tests_need():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
    # Anchored: a bare "README.md" would also pull in bench/README.md and docs/README.md.
    assert all(pattern.startswith("/") for pattern in include)
    assert {"/tests", "/bench", "/docs", "/examples", "/src/dyne"} <= set(include)
    assert (ROOT / "bench" / "apps" / "__init__.py").is_file()


def _required_extras() -> set[str]:
    """Every extra a ``require(package, extra)`` or ``MissingDependency(...)`` in src names."""
    found = set()
    for path in (ROOT / "src" / "dyne").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", ""))
                in (
                    "require",
                    "MissingDependency",
                )
                and len(node.args) == 2
                and isinstance(node.args[1], ast.Constant)
            ):
                found.add(node.args[1].value)
    return found


def test_packaging_missing_dependency_messages_name_real_extras():
    named = _required_extras()
    assert named, "no require()/MissingDependency call found"
    assert named <= set(EXTRAS)


def test_packaging_documented_install_commands_name_real_extras():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    named = {
        extra.strip()
        for page in pages
        for group in re.findall(r"dyne\[([a-z_,\s]+)\]", page.read_text(encoding="utf-8"))
        for extra in group.split(",")
    }
    assert named - {"extra"} <= set(EXTRAS)
