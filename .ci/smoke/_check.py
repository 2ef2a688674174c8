"""Helpers shared by the smoke programs (standard library and Dyne only: no test tools)."""

from __future__ import annotations

import re
from typing import Any

# src/href attributes, and quoted URLs of scripts, styles and specs anywhere in the page
# (import maps, the spec URL handed to the UI).
_URL = re.compile(
    r'(?:src|href)="([^"]+)"|"((?:/|https?://)[^"\s]*?\.(?:js|css|json|ya?ml)(?:\?[^"\s]*)?)"'
)


class SmokeFailure(AssertionError):
    """A smoke check failed."""


def check(condition: Any, message: str) -> None:
    """Fail with ``message`` unless ``condition`` holds (never stripped by ``python -O``)."""
    if not condition:
        raise SmokeFailure(message)


def status(response: Any, expected: int, what: str) -> Any:
    """Check the status code of ``response``; show its body when it differs."""
    check(
        response.status_code == expected,
        f"{what}: expected {expected}, got {response.status_code}: {response.text[:500]}",
    )
    return response


def page_assets(client: Any, path: str, *, local_only: bool = True) -> list[str]:
    """Fetch the HTML page at ``path`` and every script/stylesheet it references.

    With ``local_only`` every asset must be served by the app itself (the bundled files),
    never a CDN.
    """
    page = status(client.get(path, headers={"Accept": "text/html"}), 200, f"GET {path}")
    check("text/html" in page.headers.get("content-type", ""), f"{path} is not HTML")
    found = {a or b for a, b in _URL.findall(page.text)}
    urls = sorted(url.replace("&amp;", "&") for url in found)
    check(urls, f"{path} references no asset")
    for url in urls:
        external = url.startswith(("http://", "https://", "//"))
        if external:
            check(not local_only, f"{path} loads {url} from the internet instead of locally")
            continue
        asset = status(client.get(url), 200, f"asset {url} of {path}")
        check(len(asset.content) > 0, f"asset {url} of {path} is empty")
    return urls
