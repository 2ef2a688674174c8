"""The documentation page's Content-Security-Policy runs only the page's own scripts: each
inline script carries a fresh nonce, and no other inline script (an injected one) runs."""

from __future__ import annotations

import re

import pytest

import dyne
from dyne.ext.openapi import OpenAPI, Theme, add_theme

THEMES = ["swaggerui", "redoc", "rapidoc", "elements"]
_SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def _docs(theme: str, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = dyne.App()
    OpenAPI(app, theme=theme, title="Books")
    with app.client as client:
        return client.get("/docs"), client.get("/docs")


def _script_src(policy: str) -> str:
    return next(d for d in policy.split("; ") if d.startswith("script-src "))


@pytest.mark.parametrize("theme", THEMES)
def test_docs_page_allows_no_inline_script_but_its_own(theme, tmp_path, monkeypatch):
    first, second = _docs(theme, tmp_path, monkeypatch)
    script_src = _script_src(first.headers["content-security-policy"])
    # 'unsafe-inline' would run any <script> or onerror= that reached the page.
    assert "'unsafe-inline'" not in script_src
    nonce = re.search(r"'nonce-([A-Za-z0-9_-]{16,})'", script_src).group(1)
    for attributes in _SCRIPT.findall(first.text):
        if "src=" not in attributes:  # an inline script: it must carry this response's nonce
            assert f'nonce="{nonce}"' in attributes
    # A nonce an attacker saw once is worth nothing for the next page.
    assert nonce not in second.headers["content-security-policy"]


def test_a_theme_of_its_own_keeps_running_its_inline_scripts(tmp_path, monkeypatch):
    # A theme registered before nonces existed renders with three arguments and no nonce:
    # its page keeps the policy it had.
    add_theme(
        Theme("policy-legacy", lambda title, url, links: f"<script>go({url!r})</script>{title}")
    )
    first, _ = _docs("policy-legacy", tmp_path, monkeypatch)
    assert first.status_code == 200
    assert "'unsafe-inline'" in _script_src(first.headers["content-security-policy"])
