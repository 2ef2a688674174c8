"""Check what the built wheel and sdist carry: ``python .ci/check-dist.py WHEEL SDIST``.

Licenses and notices in both; the GraphiQL files in the wheel; everything the tests need,
and nothing stray, in the sdist; metadata that names every extra and the one version.
"""

from __future__ import annotations

import ast
import re
import sys
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Every extra pyproject.toml declares, as the metadata must spell it (normalized).
EXTRAS = {
    re.sub(r"[-_.]+", "-", name).lower()
    for name in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
}
LICENSES = ["LICENSE", "NOTICE"] + [f"LICENSES/{p.name}" for p in (ROOT / "LICENSES").glob("*.txt")]
SDIST_TOP = {
    "src",
    "tests",
    "examples",
    "bench",
    "docs",
    "LICENSES",
    "LICENSE",
    "NOTICE",
    "README.md",
    "CHANGELOG.md",
    "hatch_build.py",
    "mkdocs.yml",
    "pyproject.toml",
    "PKG-INFO",
    ".gitignore",
}

problems: list[str] = []


def expect(condition: bool, message: str) -> None:
    """Record a problem unless ``condition`` holds."""
    if not condition:
        problems.append(message)


def source_version() -> str:
    """``__version__`` from src/dyne/__version__.py, the one place the version is written."""
    tree = ast.parse((ROOT / "src/dyne/__version__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__version__":
            return str(ast.literal_eval(node.value))
    raise SystemExit("src/dyne/__version__.py defines no __version__")


def graphiql_assets() -> list[str]:
    """The file names the GraphiQL page needs (src/dyne/ext/graphql/assets.py MANIFEST)."""
    tree = ast.parse((ROOT / "src/dyne/ext/graphql/assets.py").read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Asset":
            names.append(ast.literal_eval(node.args[0]))
    return names


def check_wheel(path: Path, version: str) -> None:
    """Licenses, GraphiQL files, metadata."""
    with zipfile.ZipFile(path) as wheel:
        names = set(wheel.namelist())
        info = f"dyne-{version}.dist-info"
        metadata = Parser().parsestr(wheel.read(f"{info}/METADATA").decode())
    for name in LICENSES:
        expect(f"{info}/licenses/{name}" in names, f"wheel lacks {name}")
    for asset in graphiql_assets():
        expect(
            f"dyne/ext/graphql/static/{asset}" in names,
            f"wheel lacks the GraphiQL file {asset} (was npm reachable at build time?)",
        )
    expect("dyne/py.typed" in names, "wheel lacks py.typed")
    expect(metadata["Version"] == version, f"wheel version {metadata['Version']} != {version}")
    expect(metadata["License-Expression"] == "Apache-2.0", "wheel License-Expression")
    expect(
        set(metadata.get_all("License-File") or []) == set(LICENSES),
        f"License-File entries: {metadata.get_all('License-File')}",
    )
    expect(metadata["Requires-Python"] == ">=3.12", "Requires-Python")
    extras = set(metadata.get_all("Provides-Extra") or [])
    expect(extras == EXTRAS, f"extras {sorted(extras)} != {sorted(EXTRAS)}")
    requires = metadata.get_all("Requires-Dist") or []
    for extra in ("sqlalchemy", "full"):
        expect(
            any(r.startswith("sqlalchemy[asyncio]") and f"'{extra}'" in r for r in requires),
            f"the {extra} extra does not require sqlalchemy[asyncio] (greenlet)",
        )
    expect(metadata.get_all("Project-URL"), "no Project-URL")
    expect(len(metadata.get_all("Classifier") or []) >= 10, "few classifiers")


def check_sdist(path: Path, version: str) -> None:
    """Licenses, what the tests need, nothing stray."""
    prefix = f"dyne-{version}/"
    with tarfile.open(path) as sdist:
        names = {name.removeprefix(prefix) for name in sdist.getnames()}
    for name in [*LICENSES, "README.md", "CHANGELOG.md", "bench/apps/__init__.py"]:
        expect(name in names, f"sdist lacks {name}")
    expect("tests/conftest.py" in names, "sdist lacks the tests")
    top = {name.split("/")[0] for name in names if name}
    expect(top <= SDIST_TOP, f"stray files in the sdist: {sorted(top - SDIST_TOP)}")
    stray = [n for n in names if "__pycache__" in n or n.endswith(".db") or "graphql/static/" in n]
    expect(not stray, f"stray files in the sdist: {stray[:10]}")


def main() -> int:
    """Check both artifacts; print every problem."""
    wheel, sdist = (Path(arg) for arg in sys.argv[1:3])
    version = source_version()
    check_wheel(wheel, version)
    check_sdist(sdist, version)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if not problems:
        print(f"ok: {wheel.name} and {sdist.name} carry licenses, notices and metadata")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
