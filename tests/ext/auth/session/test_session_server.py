"""Session login through a real uvicorn on 127.0.0.1: cookies as a real client keeps them."""

from __future__ import annotations

import httpx2
import pytest

from browser_support import serve


@pytest.fixture
def live(app, auth):
    @app.route("/admin")
    @auth.login_required(role="admin")
    async def admin(req, resp):
        resp.text = f"admin {req.state.user.username}"

    with (
        serve(app) as url,
        httpx2.Client(base_url=url, timeout=10, follow_redirects=True) as client,
    ):
        yield client


def test_server_login_then_admin_page(live):
    assert live.get("/admin", follow_redirects=False).headers["location"] == "/login?next=%2Fadmin"
    login = live.post("/login", params={"next": "/admin"}, data={"id": "2", "redirect": "/"})
    assert login.status_code == 200  # the redirect was followed
    assert login.text == "admin bob"


def test_server_remember_me_cookie_flags(live):
    resp = live.post("/login", data={"id": "1", "remember": "yes"})
    line = next(
        value for value in resp.headers.get_list("set-cookie") if value.startswith("dyne-Remember=")
    )
    assert "HttpOnly" in line and "SameSite=lax" in line and "Max-Age=2592000" in line


def test_server_logout_forgets_the_user(live):
    live.post("/login", data={"id": "1", "remember": "yes"})
    live.post("/logout")
    assert live.get("/me").json() == {"user": None}
