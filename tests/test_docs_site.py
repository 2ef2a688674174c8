"""The documentation site builds with warnings as errors, and lists every page.

``mkdocs build --strict`` fails on a broken link or anchor, a page missing from ``nav``
and a docstring the API reference cannot render. Without MkDocs installed the build test
is skipped, except on CI (``CI=true``), where ``pip install -e ".[full,test]"`` brings
it (the ``test`` extra includes ``docs``).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import dyne

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def nav_pages(entries: list) -> set[str]:
    """Every page path named anywhere in an mkdocs ``nav`` list."""
    pages: set[str] = set()
    for entry in entries:
        values = entry.values() if isinstance(entry, dict) else [entry]
        for value in values:
            if isinstance(value, list):
                pages |= nav_pages(value)
            elif isinstance(value, str) and value.endswith(".md"):
                pages.add(value)
    return pages


def test_docs_site_nav_lists_every_page():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    listed = nav_pages(config["nav"])
    pages = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    assert sorted(pages - listed) == [], "add these pages to nav in mkdocs.yml"
    assert sorted(listed - pages) == [], "nav in mkdocs.yml names pages that do not exist"


def public_modules() -> list[str]:
    """``dyne`` and every module below it with no ``_``-prefixed part in its name."""
    names = ["dyne"]
    for info in pkgutil.walk_packages(dyne.__path__, prefix="dyne."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return names


def test_docs_site_reference_covers_every_public_name():
    listed: set[str] = set()
    for page in (DOCS / "reference").glob("*.md"):
        listed |= set(re.findall(r"^::: (\S+)", page.read_text(encoding="utf-8"), re.MULTILINE))
    documented = set()
    for module in listed:
        documented |= set(getattr(importlib.import_module(module), "__all__", []))
    missing = {}
    for name in public_modules():
        try:
            module = importlib.import_module(name)
        except ImportError:  # an extension whose extra is not installed
            continue
        names = sorted(set(getattr(module, "__all__", [])) - documented)
        if name not in listed and names:
            missing[name] = names
    assert missing == {}, "add a '::: module' line for these to a page of docs/reference/"


def test_docs_site_builds_strict(tmp_path):
    if importlib.util.find_spec("mkdocs") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail('MkDocs is not installed: pip install -e ".[docs]" (CI=true: must build)')
        pytest.skip("MkDocs is not installed (pip install -r docs/requirements.txt)")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "index.html").is_file()
    assert (tmp_path / "reference" / "core" / "index.html").is_file()
    # Offline: no page loads a script, stylesheet, font or image from another host.
    remote = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=\"(?:https?:)?//[^\"]*\"")
    loads = {
        match
        for page in tmp_path.rglob("*.html")
        for match in remote.findall(page.read_text(encoding="utf-8"))
        if 'rel="canonical"' not in match
    }
    assert loads == set()


SCREENSHOTS = [
    "openapi-swaggerui",
    "openapi-redoc",
    "openapi-rapidoc",
    "openapi-elements",
    "graphiql",
]


@pytest.mark.parametrize("name", SCREENSHOTS)
def test_docs_site_screenshot_is_a_small_png_a_page_shows(name):
    image = DOCS / "images" / f"{name}.png"
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", "run: python scripts/screenshots.py"
    assert image.stat().st_size < 200_000
    pages = "".join(page.read_text(encoding="utf-8") for page in DOCS.rglob("*.md"))
    assert f"images/{name}.png" in pages
