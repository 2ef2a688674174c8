"""The open-redirect guard, with the hostile URLs Django's url_has_allowed_host_and_scheme
is tested against (written out here as our own data), plus a few of our own."""

from __future__ import annotations

import pytest

from dyne.ext.auth.session import is_safe_redirect, safe_redirect

HOSTILE = [
    "http://example.com",
    "http:///example.com",
    "https://example.com",
    "ftp://example.com",
    r"\\example.com",
    r"\\\example.com",
    r"/\\/example.com",
    r"\\//example.com",
    r"/\/example.com",
    r"\/example.com",
    r"/\example.com",
    r"http:/\//example.com",
    r"http:\/example.com",
    r"http:/\example.com",
    'javascript:alert("XSS")',
    "\njavascript:alert(x)",
    "java\nscript:alert(x)",
    "\x08//example.com",
    r"http://otherserver\@example.com",
    r"http:\\testserver\@example.com",
    r"http://testserver\me:pass@example.com",
    r"http://testserver\@example.com",
    r"http:\\testserver\confirm\me@example.com",
    "http:999999999",
    "ftp:9999999999",
    "\n",
    "http://[2001:cdba:0000:0000:0000:0000:3257:9652/",
    "http://2001:cdba:0000:0000:0000:0000:3257:9652]/",
    # Stricter than Django: only relative references, never an absolute URL, even ours.
    "//evil.com",
    "///evil.com",
    "//testserver/",
    "https://testserver/",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.com",
    "/\t/evil.com",
    "/path\r\nSet-Cookie: x=1",
    "/ok\x00",
    "/ok\u2028",
    "",
    None,
    42,
]

LOCAL = [
    "/",
    "/dashboard",
    "/view/?param=http://example.com",
    "/view/?param=https://example.com",
    "/view?param=ftp://example.com",
    "view/?param=//example.com",
    "/url%20with%20spaces/",
    "path/http:2222222222",
    "/search?q=a+b&page=2#results",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_is_safe_redirect_refuses_hostile_url(url):
    assert not is_safe_redirect(url)


@pytest.mark.parametrize("url", LOCAL)
def test_is_safe_redirect_accepts_local_path(url):
    assert is_safe_redirect(url)


def test_safe_redirect_falls_back_to_default():
    assert safe_redirect("//evil.com") == "/"
    assert safe_redirect("https://evil.com", default="/home") == "/home"
    assert safe_redirect("/profile") == "/profile"


@pytest.mark.parametrize("url", ["//evil.com", "/\\evil.com", "https://evil.com", "javascript:x"])
def test_login_redirect_url_hostile_falls_back_to_root(log_in, url):
    resp = log_in(redirect=url)
    assert resp.status_code == 303
    assert resp.headers["location"] == "/"


@pytest.mark.parametrize("url", ["//evil.com", "/\\evil.com", "https://evil.com", "javascript:x"])
def test_login_hostile_next_falls_back_to_redirect_url(client, url):
    resp = client.post(
        "/login",
        params={"next": url},
        data={"id": "1", "redirect": "/dashboard"},
        follow_redirects=False,
    )
    assert resp.headers["location"] == "/dashboard"


def test_login_next_with_control_character_is_not_followed(client):
    resp = client.post(
        "/login",
        params={"next": "/\t/evil.com"},
        data={"id": "1", "redirect": "/dashboard"},
        follow_redirects=False,
    )
    assert resp.headers["location"] == "/dashboard"


def test_login_safe_next_wins_over_redirect_url(client):
    resp = client.post(
        "/login",
        params={"next": "/profile?tab=2"},
        data={"id": "1", "redirect": "/dashboard"},
        follow_redirects=False,
    )
    assert resp.status_code == 303
    assert resp.headers["location"] == "/profile?tab=2"
