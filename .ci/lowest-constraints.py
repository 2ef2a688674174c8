"""Print constraints pinning Dyne's DIRECT dependencies to the lowest versions pyproject allows.

``python .ci/lowest-constraints.py RESOLVED.txt`` reads a ``uv pip compile --resolution
lowest-direct --extra full`` output and keeps only the packages that pyproject.toml names
(the core dependencies and every extra but ``test``): the test tools and the transitive
dependencies then resolve as usual, so the suite runs against the lowest declared versions.

``python .ci/lowest-constraints.py --test-tools`` prints the test extra's requirements
without FastAPI: it is only the benchmark's comparison point (its tests skip without it),
and every FastAPI release that accepts Starlette 1.x wants a newer pydantic than Dyne's
lowest.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]).lower()


# Tool extras: not what a user's app runs on.
_TOOL_EXTRAS = {"test", "docs"}


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _expand(requirements: list[str], project: dict) -> list[str]:
    """Replace ``dyne[extra,...]`` self-references with those extras' requirements."""
    out: list[str] = []
    for requirement in requirements:
        match = re.fullmatch(r"\s*dyne\[([^\]]+)\]\s*", requirement)
        if match is None:
            out.append(requirement)
            continue
        for extra in match.group(1).split(","):
            out += _expand(project["optional-dependencies"][extra.strip()], project)
    return out


def direct_names() -> set[str]:
    """Every package pyproject.toml depends on by name, outside the tool extras."""
    project = _project()
    requirements = list(project["dependencies"])
    for extra, items in project["optional-dependencies"].items():
        if extra not in _TOOL_EXTRAS:
            requirements += _expand(items, project)
    return {_name(r) for r in requirements} - {_name(project["name"])}


def test_tools() -> list[str]:
    """The test extra (self-references expanded), less the benchmark-only FastAPI."""
    project = _project()
    tools = _expand(project["optional-dependencies"]["test"], project)
    return [r for r in tools if _name(r) != "fastapi"]


def main() -> int:
    """Filter the resolved pins to the direct dependencies."""
    if sys.argv[1] == "--test-tools":
        print("\n".join(test_tools()))
        return 0
    wanted = direct_names()
    pins = {}
    for line in Path(sys.argv[1]).read_text().splitlines():
        line = line.strip()
        if "==" in line and not line.startswith("#"):
            pins[_name(line)] = line.split(";")[0].split(" ")[0]
    missing = wanted - set(pins)
    if missing:
        print(f"error: no resolved pin for {sorted(missing)}", file=sys.stderr)
        return 1
    for name in sorted(wanted):
        print(pins[name])
    return 0


if __name__ == "__main__":
    sys.exit(main())
