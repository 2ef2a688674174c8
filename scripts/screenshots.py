"""Take the documentation's screenshots: the four OpenAPI doc themes and GraphiQL.

Run from the repository root, with Dyne installed with every extra and Debian's Chromium
(``apt-get install chromium``)::

    python scripts/screenshots.py            # every picture
    python scripts/screenshots.py redoc      # only some: swaggerui redoc rapidoc elements graphiql

Each picture is of an example app (``examples/openapi_app.py`` with ``DOCS_THEME`` set,
``examples/graphql_strawberry.py``) served by uvicorn on 127.0.0.1, in headless Chromium
with every request that leaves 127.0.0.1 blocked: a page that needed the network would
show it, and the script fails. The PNGs go to ``docs/images/``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import block_outside_requests, launch_chromium, serve  # noqa: E402
from support import load_module  # noqa: E402

THEMES = ["swaggerui", "redoc", "rapidoc", "elements"]
VIEWPORT = {"width": 1100, "height": 720}
TIMEOUT = 30_000


def shoot_theme(browser, theme: str) -> Path:
    """Screenshot examples/openapi_app.py's /docs page in ``theme``."""
    os.environ["DOCS_THEME"] = theme
    try:
        example = load_module(ROOT / "examples" / "openapi_app.py", f"openapi_app_{theme}")
    finally:
        del os.environ["DOCS_THEME"]
    target = IMAGES / f"openapi-{theme}.png"
    with serve(example.app) as base_url:
        page = browser.new_page(viewport=VIEWPORT)
        blocked = block_outside_requests(page)
        try:
            page.goto(f"{base_url}/docs")
            page.get_by_text("List the catalog").first.wait_for(state="visible", timeout=TIMEOUT)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(target))
        finally:
            page.close()
    check_offline(target, blocked)
    return target


def shoot_graphiql(browser) -> Path:
    """Screenshot GraphiQL at examples/graphql_strawberry.py's /graphql, after a query."""
    example = load_module(ROOT / "examples" / "graphql_strawberry.py", "graphql_strawberry")
    target = IMAGES / "graphiql.png"
    with serve(example.app) as base_url:
        page = browser.new_page(viewport=VIEWPORT)
        blocked = block_outside_requests(page)
        try:
            page.goto(f"{base_url}/graphql")
            editor = page.locator(".graphiql-query-editor .CodeMirror")
            editor.wait_for(state="visible", timeout=TIMEOUT)
            editor.click()
            page.keyboard.press("Control+A")
            page.keyboard.insert_text('{\n  hello(name: "Dyne")\n}')
            page.click(".graphiql-execute-button")
            page.locator(".graphiql-response").get_by_text("Hello Dyne").wait_for(timeout=TIMEOUT)
            page.screenshot(path=str(target))
        finally:
            page.close()
    check_offline(target, blocked)
    return target


def check_offline(target: Path, blocked: list[str]) -> None:
    """Refuse a picture of a page that tried to reach the network."""
    if blocked:
        target.unlink(missing_ok=True)
        raise SystemExit(f"{target.name}: the page asked for {blocked}; it must work offline.")


def main(argv: list[str]) -> int:
    """Take the pictures named in ``argv`` (all of them when it is empty)."""
    wanted = argv or [*THEMES, "graphiql"]
    unknown = sorted(set(wanted) - {*THEMES, "graphiql"})
    if unknown:
        print(f"Unknown picture {unknown}; use some of: {' '.join([*THEMES, 'graphiql'])}.")
        return 2
    IMAGES.mkdir(parents=True, exist_ok=True)
    # The examples write (uploads, databases) where they start: somewhere thrown away.
    with tempfile.TemporaryDirectory() as scratch, launch_chromium() as browser:
        os.chdir(scratch)
        for name in wanted:
            target = shoot_graphiql(browser) if name == "graphiql" else shoot_theme(browser, name)
            print(f"{target.relative_to(ROOT)}: {target.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
