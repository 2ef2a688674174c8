"""GraphiQL in a real Chromium, offline: every request leaving 127.0.0.1 is blocked."""

from __future__ import annotations

import pytest

pytest.importorskip("graphql")

from browser_support import (
    block_outside_requests,
    launch_chromium,
    serve,
    skip_or_fail,
)
from dyne.ext.graphql import assets

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module's tests."""
    with launch_chromium() as chromium:
        yield chromium


def test_graphiql_runs_hello_offline(browser, make_app):
    if assets.missing():
        skip_or_fail(
            "GraphiQL's files are not installed, so the page cannot work offline; "
            "run: python -m dyne.ext.graphql.assets"
        )
    from playwright.sync_api import expect

    with serve(make_app()) as base_url:
        page = browser.new_page()
        try:
            blocked = block_outside_requests(page)
            page.goto(f"{base_url}/graphql")
            editor = page.locator(".graphiql-query-editor .CodeMirror")
            editor.click()
            page.keyboard.press("Control+A")
            page.keyboard.insert_text('{ hello(name: "Dyne") }')
            page.click(".graphiql-execute-button")
            expect(page.locator(".graphiql-response")).to_contain_text(
                '"Hello Dyne"', timeout=30_000
            )
        finally:
            page.close()
    assert blocked == []


def test_graphiql_page_breaks_no_rule_of_its_content_security_policy(browser, make_app):
    if assets.missing():
        skip_or_fail("GraphiQL's files are not installed; run: python -m dyne.ext.graphql.assets")
    from playwright.sync_api import expect

    with serve(make_app()) as base_url:
        page = browser.new_page()
        refused: list[str] = []
        page.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        try:
            block_outside_requests(page)
            page.goto(f"{base_url}/graphql")
            expect(page.locator(".graphiql-query-editor .CodeMirror")).to_be_visible(timeout=30_000)
            # Open the documentation explorer: it renders the introspected schema.
            page.click(".graphiql-sidebar button[aria-label='Show Documentation Explorer']")
            expect(page.locator(".graphiql-doc-explorer")).to_contain_text("Query", timeout=30_000)
        finally:
            page.close()
    assert refused == []
