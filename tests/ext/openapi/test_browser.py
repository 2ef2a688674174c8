"""The four documentation pages, in a real Chromium, with every request that leaves
127.0.0.1 blocked: each shows an operation of examples/openapi_app.py, offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_support import block_outside_requests, launch_chromium, serve
from support import load_module

for package in ("pydantic", "marshmallow", "apispec"):
    pytest.importorskip(package)

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "openapi_app.py"
PACKAGES = {
    "swaggerui": "swagger_ui_bundle",
    "redoc": "star_openapi_redoc",
    "rapidoc": "star_openapi_rapidoc",
    "elements": "star_openapi_elements",
}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as chromium:
        yield chromium


@pytest.mark.parametrize("theme", list(PACKAGES))
def test_browser_docs_page_shows_an_operation_offline(browser, monkeypatch, tmp_path, theme):
    pytest.importorskip(PACKAGES[theme])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOCS_THEME", theme)
    example = load_module(EXAMPLE, f"example_openapi_app_{theme}")
    context = browser.new_context()
    blocked = block_outside_requests(context)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        with serve(example.app) as base_url:
            page.goto(f"{base_url}/docs")
            page.get_by_text("List the catalog").first.wait_for(state="visible", timeout=30_000)
    finally:
        context.close()
    assert blocked == []
    assert errors == []
